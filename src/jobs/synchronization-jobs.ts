/**
 * Jobs of synchronization: the run itself, and the daily log purge, which enqueues its next run
 * when it finishes so the schedule survives restarts and is shared by every server instance.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { jobs } from '../db/schema.ts';
import { purgeLogEntries } from '../domain/log-retention.ts';
import { purgeUnusedSnapshots } from '../domain/snapshots.ts';
import { executeSynchronizationRun } from '../domain/synchronization/run.ts';
import { SYNCHRONIZATION_QUEUE } from '../domain/synchronization/start.ts';
import type { Services } from '../graphql/context.ts';
import { enqueueJob, PermanentJobError, type JobHandler } from './queue.ts';

export const LOG_PURGE_QUEUE = 'log-purge';

const DAY_MS = 86_400_000;
/** Uploaded snapshots that no run used are kept this long, so a failed run can be repeated with force. */
const UNUSED_SNAPSHOT_DAYS = 7;

export function synchronizationJobHandlers(services: Services): Record<string, JobHandler> {
  return {
    [SYNCHRONIZATION_QUEUE]: async (job, signal) => {
      const runId = Number(job.payload.runId);
      if (!Number.isSafeInteger(runId)) throw new PermanentJobError(`Invalid job payload: runId ${JSON.stringify(job.payload.runId)}.`);
      await executeSynchronizationRun(services, runId, signal);
    },

    [LOG_PURGE_QUEUE]: async () => {
      const log = services.logger.child({ module: 'log-retention' });
      const days = services.config.LOG_RETENTION_DAYS;
      const purged = await purgeLogEntries(services.db, days);
      const snapshots = await purgeUnusedSnapshots(services.db, UNUSED_SNAPSHOT_DAYS);
      log.info({ olderThanDays: days, ...purged, unusedSnapshotsRemoved: snapshots }, 'scheduled log purge finished');
      await scheduleLogPurge(services.db, new Date(Date.now() + DAY_MS));
    },
  };
}

/** Enqueues the next log purge unless one is already waiting. */
export async function scheduleLogPurge(db: Executor, runAt: Date): Promise<void> {
  const waiting = await db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.queue, LOG_PURGE_QUEUE), inArray(jobs.status, ['QUEUED'])))
    .limit(1);
  if (waiting.length === 0) await enqueueJob(db, LOG_PURGE_QUEUE, {}, { runAt, maxAttempts: 3 });
}
