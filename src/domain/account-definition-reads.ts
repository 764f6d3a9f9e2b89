/**
 * Batched reads behind the AccountDefinition type and the `accountDefinitions` list.
 */
import { and, count, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { accountDefinitionGroups, accountDefinitionManageLevels, accountDefinitions, objects } from '../db/schema.ts';
import { keysetCondition, keysetOrderBy, type KeysetOrder, type PageRequest } from '../graphql/pagination.ts';
import type { AccountDefinitionRow } from './account-definitions.ts';
import { tenantCondition } from './tenant-scope.ts';

export interface AccountDefinitionFilter {
  tenantId?: number | null;
  /** Tenants the caller may see; null or absent for all. */
  visibleTenantIds?: number[] | null;
}

const byName: KeysetOrder = { columns: [sql`${accountDefinitions.name}`, sql`${accountDefinitions.id}`], descending: false, types: ['text', 'bigint'] };

function condition(filter: AccountDefinitionFilter) {
  return and(
    filter.tenantId != null ? eq(accountDefinitions.tenantId, filter.tenantId) : undefined,
    tenantCondition(accountDefinitions.tenantId, filter.visibleTenantIds ?? null),
  );
}

/** Account definitions by name, then id. */
export async function listAccountDefinitions(db: Executor, filter: AccountDefinitionFilter, page: PageRequest): Promise<AccountDefinitionRow[]> {
  return db
    .select()
    .from(accountDefinitions)
    .where(and(condition(filter), keysetCondition(byName, page)))
    .orderBy(...keysetOrderBy(byName, page))
    .limit(page.limit + 1);
}

export async function countAccountDefinitions(db: Executor, filter: AccountDefinitionFilter): Promise<number> {
  const [row] = await db.select({ value: count() }).from(accountDefinitions).where(condition(filter));
  return row?.value ?? 0;
}

export async function loadAccountDefinitions(db: Executor, ids: readonly number[]): Promise<AccountDefinitionRow[]> {
  return db.select().from(accountDefinitions).where(inArray(accountDefinitions.id, [...ids]));
}

export async function loadAccountDefinitionsOfTenants(db: Executor, tenantIds: readonly number[]): Promise<AccountDefinitionRow[]> {
  return db
    .select()
    .from(accountDefinitions)
    .where(inArray(accountDefinitions.tenantId, [...tenantIds]))
    .orderBy(accountDefinitions.name, accountDefinitions.id);
}

/** Allowed manage level ids per account definition. */
export async function loadAllowedManageLevels(db: Executor, definitionIds: readonly number[]): Promise<Map<number, number[]>> {
  const rows = await db.select().from(accountDefinitionManageLevels).where(inArray(accountDefinitionManageLevels.accountDefinitionId, [...definitionIds]));
  return groupBy(rows.map((row) => [row.accountDefinitionId, row.manageLevelId]));
}

/** Group object ids passed on by each account definition. */
export async function loadDefinitionGroups(db: Executor, definitionIds: readonly number[]): Promise<Map<number, number[]>> {
  const rows = await db.select().from(accountDefinitionGroups).where(inArray(accountDefinitionGroups.accountDefinitionId, [...definitionIds]));
  return groupBy(rows.map((row) => [row.accountDefinitionId, row.groupObjectId]));
}

/** Accounts that have each account definition. */
export async function countAccountsByDefinition(db: Executor, definitionIds: readonly number[]): Promise<Map<number, number>> {
  const rows = await db
    .select({ id: objects.accountDefinitionId, value: count() })
    .from(objects)
    .where(and(inArray(objects.accountDefinitionId, [...definitionIds]), eq(objects.isIndirect, false)))
    .groupBy(objects.accountDefinitionId);
  return new Map(rows.map((row) => [row.id!, row.value]));
}

function groupBy(pairs: [number, number][]): Map<number, number[]> {
  const result = new Map<number, number[]>();
  for (const [key, value] of pairs) result.set(key, [...(result.get(key) ?? []), value]);
  return result;
}
