/**
 * Link state of an account (a mail user or mail contact). It is derived from stored columns and
 * never stored itself. NOT_LINKED has no identity, LINKED has an identity but no account definition,
 * and LINKED_CONFIGURED has an identity, an account definition and a manage level.
 */
import { and, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import { objects, syncTables } from '../db/schema.ts';

export const LINK_STATES = ['NOT_LINKED', 'LINKED', 'LINKED_CONFIGURED'] as const;
export type LinkState = (typeof LINK_STATES)[number];

/** Object kinds whose rows are accounts. */
export const ACCOUNT_OBJECT_KINDS = ['MAIL_USER', 'MAIL_CONTACT'] as const;

export interface LinkColumns {
  identityId: number | null;
  accountDefinitionId: number | null;
  manageLevelId: number | null;
}

/** Derives the link state of one account row. */
export function linkStateOf(account: LinkColumns): LinkState {
  if (account.identityId === null) return 'NOT_LINKED';
  if (account.accountDefinitionId === null || account.manageLevelId === null) return 'LINKED';
  return 'LINKED_CONFIGURED';
}

/** Builds the SQL condition on `objects` that matches accounts in `state`, by the same rule as linkStateOf. */
export function linkStateCondition(state: LinkState): SQL {
  switch (state) {
    case 'NOT_LINKED':
      return isNull(objects.identityId);
    case 'LINKED':
      return and(isNotNull(objects.identityId), or(isNull(objects.accountDefinitionId), isNull(objects.manageLevelId)))!;
    case 'LINKED_CONFIGURED':
      return and(isNotNull(objects.identityId), isNotNull(objects.accountDefinitionId), isNotNull(objects.manageLevelId))!;
  }
}

/** Builds the link state of an `objects` row as an SQL expression, by the same rule as linkStateOf. */
export function linkStateExpression(): SQL<LinkState> {
  return sql<LinkState>`case
    when ${objects.identityId} is null then 'NOT_LINKED'
    when ${objects.accountDefinitionId} is null or ${objects.manageLevelId} is null then 'LINKED'
    else 'LINKED_CONFIGURED' end`;
}

/** Builds the SQL condition on `objects` that matches account rows: direct rows of mail user and mail contact tables. */
export function isAccountCondition(): SQL {
  const kinds = sql.join(
    ACCOUNT_OBJECT_KINDS.map((kind) => sql`${kind}`),
    sql`, `,
  );
  return sql`(${objects.isIndirect} = false and ${objects.syncTableId} in (select ${syncTables.id} from ${syncTables} where ${syncTables.objectKind} in (${kinds})))`;
}
