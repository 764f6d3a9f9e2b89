/**
 * Selecting accounts by filter: link state, tenant, account definition, manage level and table.
 * The accounts query and the account-management mutations read the same conditions from here.
 */
import { and, asc, eq, gt, isNotNull, isNull, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { objects } from '../db/schema.ts';
import { DomainError } from './errors.ts';
import { isAccountCondition, linkStateCondition, type LinkState } from './link-state.ts';
import { tenantCondition } from './tenant-scope.ts';

export interface AccountFilter {
  linkState?: LinkState | null;
  tenantId?: number | null;
  accountDefinitionId?: number | null;
  manageLevelId?: number | null;
  syncTableId?: number | null;
  /** true: only outstanding accounts; false: only accounts that are not outstanding. */
  outstanding?: boolean | null;
  /** Tenants the caller may see (an API token can be limited to some); null or absent for all. */
  visibleTenantIds?: number[] | null;
}

/** Builds the WHERE condition on `objects` for accounts that match `filter`. */
export function accountFilterCondition(filter: AccountFilter): SQL {
  const conditions: SQL[] = [isAccountCondition()];
  if (filter.linkState) conditions.push(linkStateCondition(filter.linkState));
  if (filter.tenantId != null) conditions.push(eq(objects.tenantId, filter.tenantId));
  if (filter.accountDefinitionId != null) conditions.push(eq(objects.accountDefinitionId, filter.accountDefinitionId));
  if (filter.manageLevelId != null) conditions.push(eq(objects.manageLevelId, filter.manageLevelId));
  if (filter.syncTableId != null) conditions.push(eq(objects.syncTableId, filter.syncTableId));
  if (filter.outstanding != null) conditions.push(filter.outstanding ? isNotNull(objects.outstandingSince) : isNull(objects.outstandingSince));
  const visible = tenantCondition(objects.tenantId, filter.visibleTenantIds ?? null);
  if (visible) conditions.push(visible);
  return and(...conditions)!;
}

/**
 * Resolves a filter into the fixed, ordered list of matching account ids. Rejects a selection
 * larger than `maxCount` with SELECTION_TOO_LARGE before reading it all.
 */
export async function selectAccountIds(db: Executor, filter: AccountFilter, maxCount: number): Promise<number[]> {
  const ids: number[] = [];
  const pageSize = 10_000;
  let after = 0;
  for (;;) {
    const rows = await db
      .select({ id: objects.id })
      .from(objects)
      .where(and(accountFilterCondition(filter), gt(objects.id, after)))
      .orderBy(asc(objects.id))
      .limit(pageSize);
    for (const row of rows) ids.push(row.id);
    if (ids.length > maxCount) {
      throw new DomainError(
        'SELECTION_TOO_LARGE',
        `The filter matches more than ${maxCount} accounts (MAX_SELECTION_SIZE). Narrow the filter, e.g. by tenant or table, and send several requests.`,
        ['input', 'filter'],
        { maxCount },
      );
    }
    if (rows.length < pageSize) return ids;
    after = rows.at(-1)!.id;
  }
}

/** The accounts a request selects: by id, or by filter. */
export interface AccountSelection {
  accountIds?: number[] | null;
  filter?: AccountFilter | null;
}

/** Resolves `accountIds` or `filter` (exactly one of them) into the fixed list of account ids a request changes. */
export async function resolveAccountSelection(db: Executor, selection: AccountSelection, maxSelection: number): Promise<number[]> {
  const hasIds = selection.accountIds != null;
  if (hasIds === (selection.filter != null)) {
    throw new DomainError('INVALID_INPUT', 'Select the accounts with either accountIds or filter, not both and not neither.', ['input']);
  }
  if (!hasIds) return selectAccountIds(db, selection.filter!, maxSelection);

  const ids = [...new Set(selection.accountIds!)];
  if (ids.length === 0) throw new DomainError('INVALID_INPUT', 'accountIds is empty; name at least one account.', ['input', 'accountIds']);
  if (ids.length > maxSelection) {
    throw new DomainError('SELECTION_TOO_LARGE', `${ids.length} accounts exceed the limit of ${maxSelection} per request (MAX_SELECTION_SIZE). Send several requests.`, [
      'input',
      'accountIds',
    ]);
  }
  return ids;
}
