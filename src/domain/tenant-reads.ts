/**
 * Batched reads behind the Tenant and TargetSystem types: a page of tenants costs one query per
 * kind of data, not one per tenant.
 */
import { and, count, inArray } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { objects, targetSystems } from '../db/schema.ts';
import { isAccountCondition, linkStateExpression, type LinkState } from './link-state.ts';
import { tenantCondition, type TenantScope } from './tenant-scope.ts';
import type { TargetSystemRow } from './tenants.ts';

/** Target systems by id; those of tenants outside `scope` are left out. */
export async function loadTargetSystems(db: Executor, ids: readonly number[], scope: TenantScope = null): Promise<TargetSystemRow[]> {
  return db
    .select()
    .from(targetSystems)
    .where(and(inArray(targetSystems.id, [...ids]), tenantCondition(targetSystems.tenantId, scope)));
}

export async function loadTargetSystemsByTenant(db: Executor, tenantIds: readonly number[]): Promise<TargetSystemRow[]> {
  return db.select().from(targetSystems).where(inArray(targetSystems.tenantId, [...tenantIds])).orderBy(targetSystems.id);
}

export interface TenantObjectCounts {
  objectCount: number;
  outstandingCount: number;
}

/** Objects and outstanding objects per tenant; tenants without objects are absent. */
export async function countObjectsByTenant(db: Executor, tenantIds: readonly number[]): Promise<Map<number, TenantObjectCounts>> {
  const rows = await db
    .select({ tenantId: objects.tenantId, objectCount: count(), outstandingCount: count(objects.outstandingSince) })
    .from(objects)
    .where(inArray(objects.tenantId, [...tenantIds]))
    .groupBy(objects.tenantId);
  return new Map(rows.map((row) => [row.tenantId, { objectCount: row.objectCount, outstandingCount: row.outstandingCount }]));
}

/** Accounts per tenant and link state; missing combinations have none. */
export async function countAccountsByTenant(db: Executor, tenantIds: readonly number[]): Promise<Map<number, Record<LinkState, number>>> {
  const state = linkStateExpression();
  const rows = await db
    .select({ tenantId: objects.tenantId, state, value: count() })
    .from(objects)
    .where(and(inArray(objects.tenantId, [...tenantIds]), isAccountCondition()))
    .groupBy(objects.tenantId, state);

  const result = new Map<number, Record<LinkState, number>>();
  for (const row of rows) {
    const counts = result.get(row.tenantId) ?? { NOT_LINKED: 0, LINKED: 0, LINKED_CONFIGURED: 0 };
    counts[row.state] = row.value;
    result.set(row.tenantId, counts);
  }
  return result;
}
