/**
 * Reads of synchronization runs. The run itself lives in domain/synchronization/.
 */
import { and, count, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { synchronizationRuns } from '../db/schema.ts';
import { keysetCondition, keysetOrderBy, type PageRequest } from '../graphql/pagination.ts';
import { tenantCondition } from './tenant-scope.ts';

export type SynchronizationRunRow = typeof synchronizationRuns.$inferSelect;

export const FINAL_STATUSES = ['SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'INTERRUPTED', 'CANCELED'] as const;

export function isFinalStatus(status: string): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

export async function loadSynchronizationRuns(db: Executor, ids: readonly number[]): Promise<SynchronizationRunRow[]> {
  return db.select().from(synchronizationRuns).where(inArray(synchronizationRuns.id, [...ids]));
}

const newestFirst = { columns: [sql`${synchronizationRuns.id}`], descending: true };

export interface SynchronizationRunFilter {
  /** Runs of this tenant only. */
  tenantId?: number | null;
  /** Runs of these tenants only (an actor limited to some tenants); null means every tenant. */
  visibleTenantIds?: number[] | null;
}

function filterCondition(filter: SynchronizationRunFilter): SQL | undefined {
  return and(
    filter.tenantId != null ? eq(synchronizationRuns.tenantId, filter.tenantId) : undefined,
    tenantCondition(synchronizationRuns.tenantId, filter.visibleTenantIds ?? null),
  );
}

export async function listSynchronizationRuns(db: Executor, page: PageRequest, filter: SynchronizationRunFilter = {}): Promise<SynchronizationRunRow[]> {
  return db
    .select()
    .from(synchronizationRuns)
    .where(and(filterCondition(filter), keysetCondition(newestFirst, page)))
    .orderBy(...keysetOrderBy(newestFirst, page))
    .limit(page.limit + 1);
}

export async function countSynchronizationRuns(db: Executor, filter: SynchronizationRunFilter = {}): Promise<number> {
  const [row] = await db.select({ value: count() }).from(synchronizationRuns).where(filterCondition(filter));
  return row?.value ?? 0;
}
