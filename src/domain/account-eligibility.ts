/**
 * Eligibility of accounts for an account-management request, and the reasons against it. Every
 * offending account is named with all its reasons, so the caller can fix the whole selection at once.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { accountDefinitionManageLevels, accountDefinitions, bulkOperations, manageLevels, objectClaims, objects, syncTables, targetSystems, tenants } from '../db/schema.ts';
import type { AccountDefinitionRow } from './account-definitions.ts';
import { DomainError } from './errors.ts';
import { ACCOUNT_OBJECT_KINDS, linkStateOf, type LinkState } from './link-state.ts';

/** The change a request makes: `undefined` keeps the account's value, `null` takes the definition away. */
export interface ManagementChange {
  accountDefinitionId?: number | null;
  manageLevelId?: number | null;
}

export interface AccountFacts {
  id: number;
  displayName: string;
  objectKind: string;
  tenantId: number;
  tenantName: string;
  targetSystemTypeId: number;
  outstanding: boolean;
  claimedBy: number | null;
  identityId: number | null;
  accountDefinitionId: number | null;
  manageLevelId: number | null;
}

export interface RejectionReason {
  code: string;
  message: string;
}

export interface AccountRejection {
  objectId: number;
  objectKind: string;
  displayName: string;
  reasons: RejectionReason[];
}

export interface DefinitionFacts extends AccountDefinitionRow {
  allowedManageLevelIds: number[];
}

/**
 * Loads the accounts and, unless `lock` is false, locks their rows until the transaction ends, so
 * two requests over the same accounts run one after the other and the second reads the first one's
 * result. `claimedBy` names an unfinished bulk operation other than `ownOperationId` that holds the account.
 */
export async function lockAccounts(
  tx: Executor,
  ids: readonly number[],
  options: { lock?: boolean; ownOperationId?: number } = {},
): Promise<AccountFacts[]> {
  const claim = sql<number | null>`(select c.bulk_operation_id from ${objectClaims} c
    join ${bulkOperations} b on b.id = c.bulk_operation_id and b.status in ('QUEUED', 'RUNNING')
    where c.object_id = ${objects.id} and c.bulk_operation_id <> ${options.ownOperationId ?? 0})`;
  const query = tx
    .select({
      id: objects.id,
      displayName: objects.displayName,
      objectKind: syncTables.objectKind,
      isIndirect: objects.isIndirect,
      tenantId: objects.tenantId,
      tenantName: tenants.name,
      targetSystemTypeId: targetSystems.targetSystemTypeId,
      outstanding: sql<boolean>`${objects.outstandingSince} is not null`,
      claimedBy: claim,
      identityId: objects.identityId,
      accountDefinitionId: objects.accountDefinitionId,
      manageLevelId: objects.manageLevelId,
    })
    .from(objects)
    .innerJoin(syncTables, eq(syncTables.id, objects.syncTableId))
    .innerJoin(targetSystems, eq(targetSystems.id, objects.targetSystemId))
    .innerJoin(tenants, eq(tenants.id, objects.tenantId))
    .where(inArray(objects.id, [...ids]))
    .orderBy(objects.id);
  const rows = options.lock === false ? await query : await query.for('update', { of: objects });
  return rows
    .filter((row) => !row.isIndirect && (ACCOUNT_OBJECT_KINDS as readonly string[]).includes(row.objectKind))
    .map((row) => ({ ...row, claimedBy: row.claimedBy === null ? null : Number(row.claimedBy) }));
}

/** Loads account definitions with their allowed manage levels, by id. */
export async function loadDefinitionFacts(db: Executor, ids: readonly number[]): Promise<Map<number, DefinitionFacts>> {
  if (ids.length === 0) return new Map();
  const definitions = await db.select().from(accountDefinitions).where(inArray(accountDefinitions.id, [...ids]));
  const levels = await db.select().from(accountDefinitionManageLevels).where(inArray(accountDefinitionManageLevels.accountDefinitionId, [...ids]));
  return new Map(
    definitions.map((definition) => [
      definition.id,
      { ...definition, allowedManageLevelIds: levels.filter((level) => level.accountDefinitionId === definition.id).map((level) => level.manageLevelId) },
    ]),
  );
}

export async function loadLevelNames(db: Executor): Promise<Map<number, string>> {
  return new Map((await db.select({ id: manageLevels.id, name: manageLevels.name }).from(manageLevels)).map((row) => [row.id, row.name]));
}

export interface EvaluationContext {
  /** The link state an account must be in: LINKED to get a definition, LINKED_CONFIGURED to change it. */
  requiredState: LinkState;
  change: ManagementChange;
  definitions: Map<number, DefinitionFacts>;
  levelNames: Map<number, string>;
}

/** Lists every reason why `change` cannot be applied to the account; empty when it can. */
export function rejectionReasons(account: AccountFacts, context: EvaluationContext): RejectionReason[] {
  const reasons: RejectionReason[] = [];
  const state = linkStateOf(account);
  if (state !== context.requiredState) reasons.push(wrongState(state, context.requiredState));
  if (account.outstanding) {
    reasons.push({ code: 'OUTSTANDING', message: 'The account is outstanding and frozen until it is reworked (deleted, published or reset).' });
  }
  if (account.claimedBy !== null) {
    reasons.push({ code: 'BUSY', message: `The account is part of running bulk operation ${account.claimedBy}. Try again when it has finished.` });
  }

  const definitionId = context.change.accountDefinitionId === undefined ? account.accountDefinitionId : context.change.accountDefinitionId;
  if (definitionId === null) return reasons;
  const definition = context.definitions.get(definitionId);
  if (!definition) return reasons;

  if (definition.tenantId !== account.tenantId) {
    reasons.push({
      code: 'OTHER_TENANT_DEFINITION',
      message: `Account definition ${definition.name} belongs to another tenant; the account belongs to tenant ${account.tenantName}.`,
    });
  } else if (definition.targetSystemTypeId !== account.targetSystemTypeId) {
    reasons.push({ code: 'OTHER_TARGET_SYSTEM_TYPE', message: `Account definition ${definition.name} manages accounts of another target system type.` });
  }

  const levelId = context.change.manageLevelId ?? (context.change.accountDefinitionId !== undefined ? definition.defaultManageLevelId : account.manageLevelId);
  if (levelId !== null && !definition.allowedManageLevelIds.includes(levelId)) {
    const allowed = definition.allowedManageLevelIds.map((id) => context.levelNames.get(id) ?? String(id)).join(', ');
    reasons.push({
      code: 'MANAGE_LEVEL_NOT_ALLOWED',
      message: `Manage level ${context.levelNames.get(levelId) ?? levelId} is not allowed by account definition ${definition.name} (allowed: ${allowed}).`,
    });
  }
  return reasons;
}

function wrongState(state: LinkState, required: LinkState): RejectionReason {
  if (required === 'LINKED') {
    return state === 'NOT_LINKED'
      ? { code: 'NOT_LINKED', message: 'The account has no identity yet (NOT_LINKED); a synchronization run links it.' }
      : { code: 'ALREADY_CONFIGURED', message: 'The account has an account definition already (LINKED_CONFIGURED); change it with changeAccountManagement.' };
  }
  return state === 'NOT_LINKED'
    ? { code: 'NOT_LINKED', message: 'The account has no identity yet (NOT_LINKED), so it has no account definition to change.' }
    : { code: 'NOT_CONFIGURED', message: 'The account has no account definition (LINKED); assign one with assignAccountDefinitionToLinkedAccounts.' };
}

/** Builds the error that rejects a whole request, naming up to 10 accounts in its message and all of them in its details. */
export function accountsRejected(rejections: AccountRejection[], verb: string): DomainError {
  const named = rejections
    .slice(0, 10)
    .map((rejection) => `${rejection.displayName} (${rejection.objectId}): ${rejection.reasons.map((reason) => reason.message).join(' ')}`)
    .join('; ');
  const more = rejections.length > 10 ? `; and ${rejections.length - 10} more` : '';
  return new DomainError(
    'ACCOUNTS_REJECTED',
    `Nothing was changed: ${rejections.length} account(s) cannot ${verb}. ${named}${more}. Remove them from the selection or fix the reasons.`,
    ['input'],
    { accounts: rejections },
  );
}

/** Rejects account ids that are unknown or not accounts, naming them. */
export function assertAllFound(requested: readonly number[], found: AccountFacts[]): void {
  const known = new Set(found.map((account) => account.id));
  const missing = requested.filter((id) => !known.has(id));
  if (missing.length === 0) return;
  const listed = missing.slice(0, 20).join(', ') + (missing.length > 20 ? ` and ${missing.length - 20} more` : '');
  throw new DomainError('NOT_FOUND', `Account(s) not found: ${listed}. Pass IDs of mail users or mail contacts from the \`accounts\` query.`, ['input', 'accountIds'], {
    objectIds: missing,
  });
}
