/**
 * Reads of the set-up catalog: target system types and the synchronization tables assigned to them.
 */
import { and, count, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { objects, syncTables, targetSystems, targetSystemTypes, targetSystemTypeTables } from '../db/schema.ts';
import { tenantCondition, type TenantScope } from './tenant-scope.ts';
import { keysetCondition, keysetOrderBy, type PageRequest } from '../graphql/pagination.ts';

export type TargetSystemTypeRow = typeof targetSystemTypes.$inferSelect;
export type SyncTableRow = typeof syncTables.$inferSelect;

const byName = (table: typeof targetSystemTypes | typeof syncTables) => ({
  columns: [sql`${table.name}`, sql`${table.id}`],
  descending: false,
});

export async function listTargetSystemTypes(db: Executor, page: PageRequest): Promise<TargetSystemTypeRow[]> {
  const order = byName(targetSystemTypes);
  return db
    .select()
    .from(targetSystemTypes)
    .where(keysetCondition(order, page))
    .orderBy(...keysetOrderBy(order, page))
    .limit(page.limit + 1);
}

export async function countTargetSystemTypes(db: Executor): Promise<number> {
  const [row] = await db.select({ value: count() }).from(targetSystemTypes);
  return row?.value ?? 0;
}

export async function loadTargetSystemTypes(db: Executor, ids: readonly number[]): Promise<TargetSystemTypeRow[]> {
  return db.select().from(targetSystemTypes).where(inArray(targetSystemTypes.id, [...ids]));
}

export async function loadSyncTables(db: Executor, ids: readonly number[]): Promise<SyncTableRow[]> {
  return db.select().from(syncTables).where(inArray(syncTables.id, [...ids]));
}

/** Sync tables assigned to a target system type, ordered by name. */
export async function listAssignedSyncTables(
  db: Executor,
  targetSystemTypeId: number,
  page: PageRequest,
): Promise<SyncTableRow[]> {
  const order = byName(syncTables);
  const rows = await db
    .select({ table: syncTables })
    .from(syncTables)
    .innerJoin(targetSystemTypeTables, eq(targetSystemTypeTables.syncTableId, syncTables.id))
    .where(and(eq(targetSystemTypeTables.targetSystemTypeId, targetSystemTypeId), keysetCondition(order, page)))
    .orderBy(...keysetOrderBy(order, page))
    .limit(page.limit + 1);
  return rows.map((row) => row.table);
}

export async function countAssignedSyncTables(db: Executor, targetSystemTypeId: number): Promise<number> {
  const [row] = await db
    .select({ value: count() })
    .from(targetSystemTypeTables)
    .where(eq(targetSystemTypeTables.targetSystemTypeId, targetSystemTypeId));
  return row?.value ?? 0;
}

/** Outstanding objects per sync table in the tenants of `scope`; tables without any are absent. */
export async function countOutstandingBySyncTable(db: Executor, syncTableIds: readonly number[], scope: TenantScope = null): Promise<Map<number, number>> {
  const rows = await db
    .select({ syncTableId: objects.syncTableId, value: count() })
    .from(objects)
    .where(and(inArray(objects.syncTableId, [...syncTableIds]), isNotNull(objects.outstandingSince), tenantCondition(objects.tenantId, scope)))
    .groupBy(objects.syncTableId);
  return new Map(rows.map((row) => [row.syncTableId, row.value]));
}

/** Outstanding objects per target system type in the tenants of `scope`, counting only tables assigned to that type. */
export async function countOutstandingByTargetSystemType(
  db: Executor,
  targetSystemTypeIds: readonly number[],
  scope: TenantScope = null,
): Promise<Map<number, number>> {
  const rows = await db
    .select({ targetSystemTypeId: targetSystemTypeTables.targetSystemTypeId, value: count() })
    .from(objects)
    .innerJoin(targetSystems, eq(targetSystems.id, objects.targetSystemId))
    .innerJoin(
      targetSystemTypeTables,
      and(
        eq(targetSystemTypeTables.syncTableId, objects.syncTableId),
        eq(targetSystemTypeTables.targetSystemTypeId, targetSystems.targetSystemTypeId),
      ),
    )
    .where(
      and(
        inArray(targetSystemTypeTables.targetSystemTypeId, [...targetSystemTypeIds]),
        isNotNull(objects.outstandingSince),
        tenantCondition(objects.tenantId, scope),
      ),
    )
    .groupBy(targetSystemTypeTables.targetSystemTypeId);
  return new Map(rows.map((row) => [row.targetSystemTypeId, row.value]));
}
