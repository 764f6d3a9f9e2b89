/**
 * Log information of objects: why an outstanding object has no log entry, and the paginated log
 * of one object. A membership has no entries of its own. Its changes are logged on its container,
 * naming the member, so its log is those entries of the container.
 */
import { and, count, eq, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { logEntries } from '../db/schema.ts';
import { keysetCondition, keysetOrderBy, type KeysetOrder, type PageRequest } from '../graphql/pagination.ts';
import { memberKeyOfMembership, type ObjectRow } from './object-reads.ts';

export const NO_LOG_REASONS = ['LOG_DELETED', 'REMOVED_FROM_MEMBER_LIST', 'CONTAINER_DELETED'] as const;
export type NoLogReason = (typeof NO_LOG_REASONS)[number];

export interface LogFacts {
  lastLogAt: Date | null;
  outstandingCause: string | null;
  logPurgedAt: Date | null;
}

/**
 * Derives why an object has no log entry, from stored facts only: the cause a run recorded when it
 * marked the object, and the time log retention purged its entries. Returns null when the object
 * has a log entry, or when no stored fact explains the absence (the reason is never guessed).
 * The cause comes first because an assignment row never has entries of its own, purged or not.
 */
export function noLogReasonOf(facts: LogFacts): NoLogReason | null {
  if (facts.lastLogAt !== null) return null;
  if (facts.outstandingCause === 'REMOVED_FROM_MEMBER_LIST') return 'REMOVED_FROM_MEMBER_LIST';
  if (facts.outstandingCause === 'CONTAINER_DELETED') return 'CONTAINER_DELETED';
  if (facts.logPurgedAt !== null) return 'LOG_DELETED';
  return null;
}

export type LogEntryRow = typeof logEntries.$inferSelect & {
  /** `created_at` in the database's text form, exact to the microsecond, for cursors. */
  createdAtText: string;
};

const newestFirst: KeysetOrder = {
  columns: [sql`${logEntries.createdAt}`, sql`${logEntries.id}`],
  descending: true,
  types: ['timestamptz', 'bigint'],
};

/** Selects an object's log: its own entries, or for a membership its container's entries that name its member. */
function logCondition(object: ObjectRow): SQL {
  if (object.tableKind === 'ASSIGNMENT') {
    if (object.containerId === null) return sql`false`;
    return and(eq(logEntries.objectId, object.containerId), eq(logEntries.memberKey, memberKeyOfMembership(object)))!;
  }
  return eq(logEntries.objectId, object.id);
}

/** Lists an object's log entries, newest first. */
export async function listLogEntries(db: Executor, object: ObjectRow, page: PageRequest): Promise<LogEntryRow[]> {
  return db
    .select({
      id: logEntries.id,
      objectId: logEntries.objectId,
      method: logEntries.method,
      message: logEntries.message,
      memberKey: logEntries.memberKey,
      synchronizationRunId: logEntries.synchronizationRunId,
      bulkOperationId: logEntries.bulkOperationId,
      createdAt: logEntries.createdAt,
      createdAtText: sql<string>`${logEntries.createdAt}::text`,
    })
    .from(logEntries)
    .where(and(logCondition(object), keysetCondition(newestFirst, page)))
    .orderBy(...keysetOrderBy(newestFirst, page))
    .limit(page.limit + 1);
}

export async function countLogEntries(db: Executor, object: ObjectRow): Promise<number> {
  const [row] = await db.select({ value: count() }).from(logEntries).where(logCondition(object));
  return row?.value ?? 0;
}
