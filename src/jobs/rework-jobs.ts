/**
 * Jobs of bulk operations and of provisioning. A bulk-operation job runs one operation start to
 * end; a provisioning job sends one published object to its target system.
 */
import { eq, sql } from 'drizzle-orm';
import { jobs } from '../db/schema.ts';
import { BULK_OPERATION_QUEUE } from '../domain/bulk-operations/accept.ts';
import { runBulkOperation } from '../domain/bulk-operations/run.ts';
import '../domain/rework/kind.ts';
import { provisionObject, type ProvisioningJobPayload } from '../domain/rework/provisioning.ts';
import { PROVISIONING_QUEUE } from '../domain/rework/provisioning-queue.ts';
import type { Services } from '../graphql/context.ts';
import { PermanentJobError, RetryLaterError, type JobHandler } from './queue.ts';

/** How often an operation waiting for a busy tenant tries again. */
const TENANT_WAIT_MS = 1000;

export function reworkJobHandlers(services: Services): Record<string, JobHandler> {
  /** Waiting is not a failed attempt: give back the attempt the worker counted when it claimed the job. */
  const refundAttempt = (jobId: number) => services.db.update(jobs).set({ attempts: sql`greatest(${jobs.attempts} - 1, 0)` }).where(eq(jobs.id, jobId));

  return {
    [BULK_OPERATION_QUEUE]: async (job, signal) => {
      const operationId = Number(job.payload.bulkOperationId);
      if (!Number.isSafeInteger(operationId)) throw new PermanentJobError(`Invalid job payload: bulkOperationId ${JSON.stringify(job.payload.bulkOperationId)}.`);
      const result = await runBulkOperation(services, operationId, signal, { lastAttempt: job.attempts >= job.maxAttempts });
      if (result.kind === 'WAIT') {
        await refundAttempt(job.id);
        throw new RetryLaterError(result.reason, TENANT_WAIT_MS);
      }
      // The worker puts the job back without spending an attempt, because the shutdown aborted `signal`.
      if (result.kind === 'REQUEUE') throw new Error(`bulk operation ${operationId} paused by shutdown; it resumes on the next start`);
    },

    [PROVISIONING_QUEUE]: async (job) => {
      const payload = job.payload as unknown as ProvisioningJobPayload;
      if (!Number.isSafeInteger(payload.objectId)) throw new PermanentJobError(`Invalid job payload: objectId ${JSON.stringify(payload.objectId)}.`);
      const step = await provisionObject(services, payload, { number: job.attempts, max: job.maxAttempts });
      if (step.kind === 'WAIT') await refundAttempt(job.id);
      if (step.kind === 'WAIT' || step.kind === 'RETRY') throw new RetryLaterError(step.message, step.delayMs);
      if (step.status === 'FAILED') throw new PermanentJobError(step.message);
    },
  };
}
