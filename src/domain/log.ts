/**
 * The synchronization log. Every writer goes through here, so the newest entry is also kept on the
 * object (`last_log_at`, `last_log_method`) where the outstanding list filters and sorts by it.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { logEntries } from '../db/schema.ts';

export type LogMethod = 'INSERT' | 'UPDATE' | 'MARK_OUTSTANDING' | 'DELETE' | 'PUBLISH' | 'RESET';

export interface NewLogEntry {
  /** The object the entry is about; for a membership change, its container (the member is named in memberKey). */
  objectId: number;
  method: LogMethod;
  message: string;
  memberKey?: string | null;
  synchronizationRunId?: number | null;
  bulkOperationId?: number | null;
}

/** Writes entries in one statement and updates each object's newest-entry columns. */
export async function writeLogEntries(db: Executor, entries: NewLogEntry[], at: Date = new Date()): Promise<void> {
  const chunkSize = 5000;
  for (let start = 0; start < entries.length; start += chunkSize) {
    const chunk = entries.slice(start, start + chunkSize);
    await db.insert(logEntries).values(chunk.map((entry) => ({ ...entry, createdAt: at })));

    // One object can get several entries in a chunk; the last one written is its newest.
    const newest = new Map<number, LogMethod>();
    for (const entry of chunk) newest.set(entry.objectId, entry.method);
    const values = sql.join(
      [...newest].map(([objectId, method]) => sql`(${objectId}::bigint, ${method}::text)`),
      sql`, `,
    );
    await db.execute(sql`
      update objects set last_log_at = ${at.toISOString()}::timestamptz, last_log_method = v.method
      from (values ${values}) as v(id, method)
      where objects.id = v.id`);
  }
}
