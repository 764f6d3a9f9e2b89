/**
 * A durable job queue in the `jobs` table. Jobs are enqueued inside the caller's transaction, so a
 * job exists exactly when the change that asked for it committed. Workers claim jobs with
 * `FOR UPDATE SKIP LOCKED`, so several server instances can share one PostgreSQL queue.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Database, DatabaseKind, Executor } from '../db/client.ts';
import { jobs } from '../db/schema.ts';
import { queryRows } from '../db/sql.ts';
import type { Logger } from '../logger.ts';

export interface JobRecord {
  id: number;
  queue: string;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
}

/** Thrown by a handler to ask for a retry after a given delay instead of the default backoff. */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

/** Thrown by a handler when retrying cannot help; the job fails at once. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

export type JobHandler = (job: JobRecord, signal: AbortSignal) => Promise<void>;

export interface EnqueueOptions {
  runAt?: Date;
  maxAttempts?: number;
}

export async function enqueueJob(
  db: Executor,
  queue: string,
  payload: Record<string, unknown>,
  options: EnqueueOptions = {},
): Promise<number> {
  const [row] = await db
    .insert(jobs)
    .values({ queue, payload, runAt: options.runAt ?? new Date(), maxAttempts: options.maxAttempts ?? 5 })
    .returning({ id: jobs.id });
  return row!.id;
}

/** Exponential backoff with jitter: about 1 s, 2 s, 4 s, ... capped at 5 minutes. */
export function backoffDelayMs(attempt: number): number {
  const base = Math.min(300_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

export interface JobWorkerOptions {
  db: Database;
  databaseKind: DatabaseKind;
  logger: Logger;
  handlers: Record<string, JobHandler>;
  /** Jobs run at the same time by this worker. */
  concurrency?: number;
  pollIntervalMs?: number;
  /** A RUNNING job whose lease was not renewed for this long belongs to a dead worker. */
  leaseMs?: number;
}

export class JobWorker {
  readonly workerId = `worker-${randomUUID()}`;
  private readonly log: Logger;
  private readonly running = new Map<number, { promise: Promise<void>; abort: AbortController }>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private polling = false;

  constructor(private readonly options: JobWorkerOptions) {
    this.log = options.logger.child({ module: 'jobs', workerId: this.workerId });
  }

  /** Requeues jobs left RUNNING by a crashed process, then starts polling. */
  async start(): Promise<void> {
    await this.recoverStaleJobs();
    this.stopped = false;
    this.schedule(0);
    this.log.info({ queues: Object.keys(this.options.handlers) }, 'job worker started');
  }

  /** Wakes the worker now, e.g. after this process enqueued a job. */
  notify(): void {
    if (!this.stopped) this.schedule(0);
  }

  /** Stops claiming jobs, asks running ones to stop and waits for them up to `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const job of this.running.values()) job.abort.abort(new Error('server shutting down'));
    const all = Promise.allSettled([...this.running.values()].map((job) => job.promise));
    const timeout = new Promise((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([all, timeout]);
    this.log.info({ unfinished: this.running.size }, 'job worker stopped');
  }

  private schedule(delayMs: number) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), delayMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    if (this.stopped || this.polling) return;
    this.polling = true;
    try {
      const free = (this.options.concurrency ?? 2) - this.running.size;
      if (free > 0) {
        for (const job of await this.claim(free)) this.run(job);
      }
    } catch (error) {
      this.log.error({ err: error }, 'claiming jobs failed; retrying at the next poll');
    } finally {
      this.polling = false;
      if (!this.stopped) this.schedule(this.options.pollIntervalMs ?? 500);
    }
  }

  private async claim(limit: number): Promise<JobRecord[]> {
    const queues = Object.keys(this.options.handlers);
    if (queues.length === 0) return [];
    const rows = await queryRows<{ id: number; queue: string; payload: Record<string, unknown>; attempts: number; max_attempts: number }>(
      this.options.db,
      sql`update jobs set status = 'RUNNING', locked_by = ${this.workerId}, locked_at = now(), attempts = attempts + 1
          where id in (
            select id from jobs
            where status = 'QUEUED' and run_at <= now() and queue in (${sql.join(queues.map((queue) => sql`${queue}`), sql`, `)})
            order by run_at, id
            limit ${limit}
            for update skip locked)
          returning id, queue, payload, attempts, max_attempts`,
    );
    return rows.map((row) => ({ id: Number(row.id), queue: row.queue, payload: row.payload, attempts: row.attempts, maxAttempts: row.max_attempts }));
  }

  private run(job: JobRecord) {
    const abort = new AbortController();
    const lease = setInterval(() => void this.renewLease(job.id), Math.max(1000, (this.options.leaseMs ?? 60_000) / 4));
    lease.unref();
    const promise = this.execute(job, abort.signal).finally(() => {
      clearInterval(lease);
      this.running.delete(job.id);
      this.notify();
    });
    this.running.set(job.id, { promise, abort });
  }

  private async execute(job: JobRecord, signal: AbortSignal): Promise<void> {
    const handler = this.options.handlers[job.queue]!;
    const log = this.log.child({ jobId: job.id, queue: job.queue, attempt: job.attempts });
    log.info('job started');
    try {
      await handler(job, signal);
      await this.finish(job.id, 'SUCCEEDED', null);
      log.info('job succeeded');
    } catch (error) {
      await this.handleFailure(job, error, log, signal);
    }
  }

  private async handleFailure(job: JobRecord, error: unknown, log: Logger, signal: AbortSignal) {
    const message = error instanceof Error ? error.message : String(error);
    if (signal.aborted) {
      // Shutting down: the job goes back to the queue without spending an attempt.
      await this.options.db
        .update(jobs)
        .set({ status: 'QUEUED', attempts: sql`greatest(${jobs.attempts} - 1, 0)`, lockedBy: null, lockedAt: null })
        .where(eq(jobs.id, job.id));
      log.info('job interrupted by shutdown; requeued');
      return;
    }
    if (error instanceof PermanentJobError || job.attempts >= job.maxAttempts) {
      await this.finish(job.id, 'FAILED', message);
      log.error({ err: error }, 'job failed permanently');
      return;
    }
    const delayMs = error instanceof RetryLaterError ? error.delayMs : backoffDelayMs(job.attempts);
    await this.options.db
      .update(jobs)
      .set({ status: 'QUEUED', runAt: new Date(Date.now() + delayMs), lastError: message, lockedBy: null, lockedAt: null })
      .where(eq(jobs.id, job.id));
    log.warn({ err: error, delayMs }, 'job failed; retrying later');
  }

  private async finish(id: number, status: 'SUCCEEDED' | 'FAILED', lastError: string | null) {
    await this.options.db
      .update(jobs)
      .set({ status, lastError, finishedAt: new Date(), lockedBy: null, lockedAt: null })
      .where(eq(jobs.id, id));
  }

  private async renewLease(id: number) {
    try {
      await this.options.db.update(jobs).set({ lockedAt: new Date() }).where(and(eq(jobs.id, id), eq(jobs.lockedBy, this.workerId)));
    } catch (error) {
      this.log.warn({ err: error, jobId: id }, 'renewing a job lease failed');
    }
  }

  /**
   * On PGlite only this process can have run a job, so every RUNNING job is stale at start-up. On
   * PostgreSQL other instances may be working, so only jobs whose lease expired are taken back.
   */
  private async recoverStaleJobs() {
    const leaseSeconds = Math.ceil((this.options.leaseMs ?? 60_000) / 1000);
    const stale =
      this.options.databaseKind === 'pglite'
        ? sql`status = 'RUNNING'`
        : sql`status = 'RUNNING' and locked_at < now() - make_interval(secs => ${leaseSeconds})`;
    const rows = await queryRows<{ id: number }>(
      this.options.db,
      sql`update jobs set status = 'QUEUED', locked_by = null, locked_at = null where ${stale} returning id`,
    );
    if (rows.length > 0) this.log.warn({ jobIds: rows.map((row) => Number(row.id)) }, 'requeued jobs of a stopped worker');
  }
}
