/**
 * Reads of the log entries a synchronization run wrote, in the order they were written.
 */
import { and, count, eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { logEntries } from '../db/schema.ts';
import { keysetCondition, keysetOrderBy, type KeysetOrder, type PageRequest } from '../graphql/pagination.ts';

export type RunLogEntryRow = typeof logEntries.$inferSelect;

const inWrittenOrder: KeysetOrder = { columns: [sql`${logEntries.id}`], descending: false, types: ['bigint'] };

export async function listLogEntriesOfRun(db: Executor, runId: number, page: PageRequest): Promise<RunLogEntryRow[]> {
  return db
    .select()
    .from(logEntries)
    .where(and(eq(logEntries.synchronizationRunId, runId), keysetCondition(inWrittenOrder, page)))
    .orderBy(...keysetOrderBy(inWrittenOrder, page))
    .limit(page.limit + 1);
}

export async function countLogEntriesOfRun(db: Executor, runId: number): Promise<number> {
  const [row] = await db.select({ value: count() }).from(logEntries).where(eq(logEntries.synchronizationRunId, runId));
  return row?.value ?? 0;
}
