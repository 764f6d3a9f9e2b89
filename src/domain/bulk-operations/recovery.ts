/**
 * Start-up recovery of bulk operations, before the job worker starts. On PGlite only this process
 * can have run anything, so a BULK operation found RUNNING was cut off: its transaction saved
 * nothing and it is marked INTERRUPTED here. On PostgreSQL other instances may be running theirs.
 * There the worker hands a dead worker's job back to the queue once its lease expired, and the job
 * marks the operation then. On both, an unfinished operation whose job is gone (it failed for good) gets
 * a new job, so no operation stays QUEUED or RUNNING for ever.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Database, DatabaseKind } from '../../db/client.ts';
import { bulkOperations } from '../../db/schema.ts';
import { queryRows } from '../../db/sql.ts';
import { enqueueJob } from '../../jobs/queue.ts';
import type { Logger } from '../../logger.ts';
import { BULK_OPERATION_JOB_ATTEMPTS, BULK_OPERATION_QUEUE } from './accept.ts';
import { actorOf } from './kinds.ts';
import { storeOutcome } from './outcome.ts';
import { INTERRUPTED_REASON } from './run-bulk.ts';

export async function recoverBulkOperations(db: Database, databaseKind: DatabaseKind, logger: Logger): Promise<void> {
  const log = logger.child({ module: 'bulk-operations' });

  if (databaseKind === 'pglite') {
    const cutOff = await db
      .select()
      .from(bulkOperations)
      .where(and(eq(bulkOperations.status, 'RUNNING'), eq(bulkOperations.processing, 'BULK')));
    for (const operation of cutOff) {
      await db.transaction((tx) =>
        storeOutcome(tx, operation, actorOf(operation), {
          status: 'INTERRUPTED',
          statusReason: INTERRUPTED_REASON,
          processed: 0,
          succeeded: 0,
          failed: 0,
          rolledBack: true,
        }),
      );
    }
    if (cutOff.length > 0) log.warn({ bulkOperationIds: cutOff.map((operation) => operation.id) }, 'marked BULK operations cut off by the last stop INTERRUPTED');
  }

  const orphans = await queryRows<{ id: number | string }>(
    db,
    sql`select b.id from bulk_operations b
        where b.status in ('QUEUED', 'RUNNING')
          and not exists (select 1 from jobs j where j.queue = ${BULK_OPERATION_QUEUE} and j.status in ('QUEUED', 'RUNNING')
                          and (j.payload ->> 'bulkOperationId')::bigint = b.id)`,
  );
  for (const { id } of orphans) {
    await enqueueJob(db, BULK_OPERATION_QUEUE, { bulkOperationId: Number(id) }, { maxAttempts: BULK_OPERATION_JOB_ATTEMPTS });
  }
  if (orphans.length > 0) log.warn({ bulkOperationIds: orphans.map((row) => Number(row.id)) }, 'queued unfinished bulk operations whose job was gone');
}
