/**
 * Reads of synchronization runs. The run itself lives in domain/synchronization/.
 */
import { count, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { synchronizationRuns } from '../db/schema.ts';
import { keysetCondition, keysetOrderBy, type PageRequest } from '../graphql/pagination.ts';

export type SynchronizationRunRow = typeof synchronizationRuns.$inferSelect;

export const FINAL_STATUSES = ['SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'INTERRUPTED', 'CANCELED'] as const;

export function isFinalStatus(status: string): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

export async function loadSynchronizationRuns(db: Executor, ids: readonly number[]): Promise<SynchronizationRunRow[]> {
  return db.select().from(synchronizationRuns).where(inArray(synchronizationRuns.id, [...ids]));
}

const newestFirst = { columns: [sql`${synchronizationRuns.id}`], descending: true };

export async function listSynchronizationRuns(db: Executor, page: PageRequest): Promise<SynchronizationRunRow[]> {
  return db
    .select()
    .from(synchronizationRuns)
    .where(keysetCondition(newestFirst, page))
    .orderBy(...keysetOrderBy(newestFirst, page))
    .limit(page.limit + 1);
}

export async function countSynchronizationRuns(db: Executor): Promise<number> {
  const [row] = await db.select({ value: count() }).from(synchronizationRuns);
  return row?.value ?? 0;
}
