/**
 * Log retention: entries older than LOG_RETENTION_DAYS are deleted, by `syncrework log purge` and
 * by a daily job. Each object that lost entries gets `log_purged_at`, the stored fact behind the
 * no-log reason LOG_DELETED.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { queryRows } from '../db/sql.ts';
import { DomainError } from './errors.ts';

/** Entries per transaction, so a large purge does not hold the embedded database for long. */
const BATCH_SIZE = 20_000;

export interface PurgeResult {
  entriesDeleted: number;
  objectsAffected: number;
  cutoff: Date;
}

export async function purgeLogEntries(db: Executor, olderThanDays: number): Promise<PurgeResult> {
  if (!Number.isInteger(olderThanDays) || olderThanDays < 0) {
    throw new DomainError('INVALID_INPUT', `Invalid number of days ${JSON.stringify(olderThanDays)}: pass a whole number of 0 or more.`, ['olderThanDays']);
  }
  const cutoff = new Date(Date.now() - olderThanDays * 86_400_000);
  const result: PurgeResult = { entriesDeleted: 0, objectsAffected: 0, cutoff };

  for (;;) {
    const [batch] = await db.transaction((tx) =>
      queryRows<{ deleted: number | string; objects: number | string }>(
        tx,
        sql`with deleted as (
              delete from log_entries
              where id in (select id from log_entries where created_at < ${cutoff.toISOString()}::timestamptz order by created_at limit ${BATCH_SIZE})
              returning id, object_id),
            affected as (select distinct object_id from deleted),
            -- Every part of the statement sees the entries as they were before the delete, hence the exclusion below.
            marked as (
              update objects o
              set log_purged_at = now(),
                  last_log_at = newest.created_at,
                  last_log_method = newest.method
              from affected a
              left join lateral (
                select e.created_at, e.method from log_entries e
                where e.object_id = a.object_id and e.id not in (select id from deleted)
                order by e.created_at desc, e.id desc limit 1) newest on true
              where o.id = a.object_id
              returning o.id)
            select (select count(*) from deleted) as deleted, (select count(*) from marked) as objects`,
      ),
    );
    const deleted = Number(batch?.deleted ?? 0);
    result.entriesDeleted += deleted;
    result.objectsAffected += Number(batch?.objects ?? 0);
    if (deleted < BATCH_SIZE) return result;
  }
}
