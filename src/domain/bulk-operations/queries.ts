/**
 * Reads of bulk operations and their failures, newest first, with keyset pagination.
 */
import { and, count, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { bulkOperationFailures, bulkOperations } from '../../db/schema.ts';
import { keysetCondition, keysetOrderBy, type PageRequest } from '../../graphql/pagination.ts';
import type { Actor } from '../actor.ts';
import { allInTenantScope, allInTenantScopeCondition, tenantScope, type TenantScope } from '../tenant-scope.ts';
import type { BulkOperationFailureRow, BulkOperationRow } from './types.ts';

export interface BulkOperationFilter {
  statuses?: string[] | null;
  methods?: string[] | null;
  kinds?: string[] | null;
  /** Only operations visible in this tenant scope (see `isBulkOperationVisible`); null for every tenant. */
  visibleToTenants?: TenantScope;
}

/**
 * True when `actor` may read the operation. A tenant-limited actor may read it only when it changes
 * objects of at least one tenant and all of them are in its limit, so an operation with no tenant
 * is hidden from it. The lists apply the same rule in SQL through `filterCondition`.
 */
export function isBulkOperationVisible(operation: Pick<BulkOperationRow, 'tenantIds'>, actor: Pick<Actor, 'tenantIds'>): boolean {
  return allInTenantScope(tenantScope(actor), operation.tenantIds);
}

/** Builds the SQL condition of `isBulkOperationVisible`; undefined for a scope without a tenant limit. */
export function bulkOperationVisibleCondition(scope: TenantScope): SQL | undefined {
  return allInTenantScopeCondition(bulkOperations.tenantIds, scope);
}

export async function loadBulkOperations(db: Executor, ids: readonly number[]): Promise<BulkOperationRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(bulkOperations).where(inArray(bulkOperations.id, [...ids]));
}

export async function loadBulkOperation(db: Executor, id: number): Promise<BulkOperationRow | undefined> {
  const [row] = await db.select().from(bulkOperations).where(eq(bulkOperations.id, id));
  return row;
}

function filterCondition(filter: BulkOperationFilter): SQL | undefined {
  return and(
    filter.statuses ? inArray(bulkOperations.status, filter.statuses) : undefined,
    filter.methods ? inArray(bulkOperations.method, filter.methods) : undefined,
    filter.kinds ? inArray(bulkOperations.kind, filter.kinds) : undefined,
    bulkOperationVisibleCondition(filter.visibleToTenants ?? null),
  );
}

const newestFirst = { columns: [sql`${bulkOperations.id}`], descending: true };

export async function listBulkOperations(db: Executor, filter: BulkOperationFilter, page: PageRequest): Promise<BulkOperationRow[]> {
  return db
    .select()
    .from(bulkOperations)
    .where(and(filterCondition(filter), keysetCondition(newestFirst, page)))
    .orderBy(...keysetOrderBy(newestFirst, page))
    .limit(page.limit + 1);
}

export async function countBulkOperations(db: Executor, filter: BulkOperationFilter): Promise<number> {
  const [row] = await db.select({ value: count() }).from(bulkOperations).where(filterCondition(filter));
  return row?.value ?? 0;
}

const failureOrder = { columns: [sql`${bulkOperationFailures.id}`], descending: false };

/** Failures of one operation in the order they happened. */
export async function listBulkOperationFailures(db: Executor, operationId: number, page: PageRequest): Promise<BulkOperationFailureRow[]> {
  return db
    .select()
    .from(bulkOperationFailures)
    .where(and(eq(bulkOperationFailures.bulkOperationId, operationId), keysetCondition(failureOrder, page)))
    .orderBy(...keysetOrderBy(failureOrder, page))
    .limit(page.limit + 1);
}

export async function countBulkOperationFailures(db: Executor, operationId: number): Promise<number> {
  const [row] = await db.select({ value: count() }).from(bulkOperationFailures).where(eq(bulkOperationFailures.bulkOperationId, operationId));
  return row?.value ?? 0;
}

/** Loads the newest failures of each operation (at most `limit` each), for progress events. */
export async function loadRecentFailures(db: Executor, operationIds: readonly number[], limit: number): Promise<Map<number, BulkOperationFailureRow[]>> {
  const result = new Map<number, BulkOperationFailureRow[]>();
  if (operationIds.length === 0) return result;
  const rows = await db
    .select()
    .from(bulkOperationFailures)
    .where(
      and(
        inArray(bulkOperationFailures.bulkOperationId, [...operationIds]),
        sql`${bulkOperationFailures.id} in (
          select f.id from bulk_operation_failures f
          where f.bulk_operation_id = ${bulkOperationFailures.bulkOperationId}
          order by f.id desc limit ${limit})`,
      ),
    )
    .orderBy(bulkOperationFailures.id);
  for (const row of rows) {
    const list = result.get(row.bulkOperationId) ?? [];
    list.push(row);
    result.set(row.bulkOperationId, list);
  }
  return result;
}
