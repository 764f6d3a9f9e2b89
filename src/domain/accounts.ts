/**
 * Reads of accounts (mail users and mail contacts) and of the identities behind them. The account
 * filter conditions come from account-filter.ts, which the account-management mutations share.
 */
import { and, count, eq, inArray, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { accountDefinitions, identities, manageLevels, objects, syncTables, tenants } from '../db/schema.ts';
import { keysetCondition, keysetOrderBy, type KeysetOrder, type PageRequest } from '../graphql/pagination.ts';
import { accountFilterCondition, type AccountFilter } from './account-filter.ts';
import { DomainError } from './errors.ts';
import { isAccountCondition } from './link-state.ts';
import { countObjectRows, selectObjectRows, type ObjectRow } from './object-reads.ts';
import { tenantCondition } from './tenant-scope.ts';

export interface AccountListFilter extends AccountFilter {
  /** true: only outstanding accounts; false: only accounts that are not outstanding. */
  outstanding?: boolean | null;
  /** Tenants the caller may see (an API token can be limited to some); null or absent for all. */
  visibleTenantIds?: number[] | null;
}

export type IdentityRow = typeof identities.$inferSelect;

const byId: KeysetOrder = { columns: [sql`${objects.id}`], descending: false, types: ['bigint'] };

function accountListCondition(filter: AccountListFilter): SQL {
  let outstanding: SQL | undefined;
  if (filter.outstanding === true) outstanding = isNotNull(objects.outstandingSince);
  if (filter.outstanding === false) outstanding = isNull(objects.outstandingSince);
  const visible = tenantCondition(objects.tenantId, filter.visibleTenantIds ?? null);
  return and(accountFilterCondition(filter), outstanding, visible)!;
}

/** Rejects ids in `filter` that name no tenant, account definition, manage level or table, with NOT_FOUND. */
export async function assertAccountFilterIdsExist(db: Executor, filter: AccountListFilter): Promise<void> {
  const checks = [
    { id: filter.tenantId, field: 'tenant', label: 'tenant', table: tenants },
    { id: filter.accountDefinitionId, field: 'accountDefinition', label: 'account definition', table: accountDefinitions },
    { id: filter.manageLevelId, field: 'manageLevel', label: 'manage level', table: manageLevels },
    { id: filter.syncTableId, field: 'table', label: 'synchronization table', table: syncTables },
  ] as const;
  for (const check of checks) {
    if (check.id == null) continue;
    const [found] = await db.select({ id: check.table.id }).from(check.table).where(eq(check.table.id, check.id));
    if (!found) {
      throw new DomainError('NOT_FOUND', `Unknown ${check.label} in filter.${check.field}: no ${check.label} has the id ${check.id}. Pass ids read from this API.`, [
        'filter',
        check.field,
      ]);
    }
  }
}

/** Lists accounts matching `filter`, oldest first (by id). */
export async function listAccounts(db: Executor, filter: AccountListFilter, page: PageRequest): Promise<ObjectRow[]> {
  const rows = await selectObjectRows(db, and(accountListCondition(filter), keysetCondition(byId, page)))
    .orderBy(...keysetOrderBy(byId, page))
    .limit(page.limit + 1);
  return rows as ObjectRow[];
}

export async function countAccounts(db: Executor, filter: AccountListFilter): Promise<number> {
  return countObjectRows(db, accountListCondition(filter));
}

export async function loadIdentities(db: Executor, ids: readonly number[]): Promise<IdentityRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(identities).where(inArray(identities.id, [...ids]));
}

const identitiesById: KeysetOrder = { columns: [sql`${identities.id}`], descending: false, types: ['bigint'] };

/** Lists identities matching `filter`, oldest first (by id). */
export async function listIdentities(db: Executor, filter: IdentityFilter, page: PageRequest): Promise<IdentityRow[]> {
  return db
    .select()
    .from(identities)
    .where(and(identityCondition(filter), keysetCondition(identitiesById, page)))
    .orderBy(...keysetOrderBy(identitiesById, page))
    .limit(page.limit + 1);
}

export async function countIdentities(db: Executor, filter: IdentityFilter): Promise<number> {
  const [row] = await db.select({ value: count() }).from(identities).where(identityCondition(filter));
  return row?.value ?? 0;
}

export interface IdentityFilter {
  tenantId?: number | null;
  visibleTenantIds?: number[] | null;
}

function identityCondition(filter: IdentityFilter): SQL | undefined {
  return and(
    filter.tenantId == null ? undefined : eq(identities.tenantId, filter.tenantId),
    tenantCondition(identities.tenantId, filter.visibleTenantIds ?? null),
  );
}

/** Loads the accounts of each identity, in id order. An identity has few accounts, so they load as a plain list. */
export async function loadAccountsOfIdentities(db: Executor, identityIds: readonly number[]): Promise<Map<number, ObjectRow[]>> {
  const result = new Map<number, ObjectRow[]>(identityIds.map((id) => [id, []]));
  if (identityIds.length === 0) return result;
  const rows = (await selectObjectRows(db, and(inArray(objects.identityId, [...identityIds]), isAccountCondition())).orderBy(
    objects.id,
  )) as ObjectRow[];
  for (const row of rows) result.get(row.identityId!)?.push(row);
  return result;
}
