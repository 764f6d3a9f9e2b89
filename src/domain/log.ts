/**
 * The synchronization log. Every writer goes through here, so the newest entry is also kept on the
 * object (`last_log_at`, `last_log_method`) where the outstanding list filters and sorts by it.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { logEntries } from '../db/schema.ts';
import { queryRows } from '../db/sql.ts';

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

export interface LogEntriesFromQueryOptions {
  at: Date;
  synchronizationRunId?: number | null;
  bulkOperationId?: number | null;
}

/**
 * Writes the entries a query selects, in one statement, for writers that change thousands of
 * objects at once (a synchronization run). `source` must select the columns `object_id`,
 * `method`, `message` and `member_key`. Like `writeLogEntries`, it updates each object's
 * newest-entry columns. Returns the number of entries written.
 */
export async function writeLogEntriesFromQuery(db: Executor, source: SQL, options: LogEntriesFromQueryOptions): Promise<number> {
  const at = options.at.toISOString();
  const rows = await queryRows<{ written: number | string }>(
    db,
    sql`with source as (${source}),
        written as (
          insert into log_entries (object_id, method, message, member_key, synchronization_run_id, bulk_operation_id, created_at)
          select object_id, method, message, member_key, ${options.synchronizationRunId ?? null}::bigint,
                 ${options.bulkOperationId ?? null}::bigint, ${at}::timestamptz
          from source
          returning id, object_id, method),
        newest as (
          update objects set last_log_at = ${at}::timestamptz, last_log_method = n.method
          from (select distinct on (object_id) object_id, method from written order by object_id, id desc) as n
          where objects.id = n.object_id)
        select count(*) as written from written`,
  );
  return Number(rows[0]?.written ?? 0);
}

/**
 * The INSERT of the entries that `source` selects (columns `object_id`, `method`, `message` and
 * `member_key`), as a fragment for the WITH clause of a statement that changes the same objects.
 * PostgreSQL changes a row at most once per statement, so that statement must itself set the
 * newest-entry columns (`last_log_at`, `last_log_method`) of every object that gets an entry.
 */
export function logEntriesInsertSql(source: SQL, options: LogEntriesFromQueryOptions): SQL {
  return sql`insert into log_entries (object_id, method, message, member_key, synchronization_run_id, bulk_operation_id, created_at)
    select s.object_id, s.method, s.message, s.member_key, ${options.synchronizationRunId ?? null}::bigint,
           ${options.bulkOperationId ?? null}::bigint, ${options.at.toISOString()}::timestamptz
    from (${source}) as s`;
}
