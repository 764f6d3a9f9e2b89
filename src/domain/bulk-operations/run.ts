/**
 * The life of one operation inside its job: start or resume it, wait for its tenants, and run it
 * BULK or SEQUENTIAL. A job runs again after a restart (the worker requeues jobs of a stopped
 * process), so every path here can be repeated: a finished operation is left alone, a BULK one
 * found RUNNING was cut off and is marked INTERRUPTED (its transaction saved nothing), and a
 * SEQUENTIAL one found RUNNING resumes after its last saved object.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { bulkOperations } from '../../db/schema.ts';
import { DomainError } from '../errors.ts';
import { claimTenant, clearStaleTenantClaims } from '../tenant-claims.ts';
import { actorOf, bulkOperationKind } from './kinds.ts';
import { storeOutcome } from './outcome.ts';
import { BulkOperationProgress } from './progress.ts';
import { loadBulkOperation } from './queries.ts';
import { INTERRUPTED_REASON, runBulk, type RunContext } from './run-bulk.ts';
import { runSequential } from './run-sequential.ts';
import { runningOperations, StopRequestedError, type EngineServices } from './services.ts';
import { isFinalBulkOperationStatus, type BulkOperationRow } from './types.ts';

/** DONE: nothing left to do. WAIT: a tenant is busy, try again later. REQUEUE: paused by shutdown. */
export type RunResult = { kind: 'DONE' } | { kind: 'WAIT'; reason: string } | { kind: 'REQUEUE' };

/** How long an operation waits for its tenants before it gives up. */
const MAX_TENANT_WAIT_MS = 24 * 3_600_000;

export async function runBulkOperation(
  services: EngineServices,
  operationId: number,
  jobSignal: AbortSignal,
  options: { lastAttempt: boolean },
): Promise<RunResult> {
  const log = services.logger.child({ module: 'bulk-operations', bulkOperationId: operationId });
  const operation = await loadBulkOperation(services.db, operationId);
  if (!operation || isFinalBulkOperationStatus(operation.status)) return { kind: 'DONE' };
  const kind = bulkOperationKind(operation.kind);
  const actor = actorOf(operation);
  const progress = new BulkOperationProgress(services, operation);
  // A waiting operation stays visible from memory on PGlite (see announceAccepted).
  let waiting = false;

  try {
    if (operation.status === 'QUEUED' && operation.cancelRequested) {
      const canceledBy = String(operation.parameters.canceledBy ?? 'another user');
      await finishWithoutRunning(services, operation, 'CANCELED', `Canceled by ${canceledBy} before it started; nothing was changed.`);
      return { kind: 'DONE' };
    }
    if (operation.status === 'RUNNING' && operation.processing === 'BULK') {
      log.warn('bulk operation found running after a restart; marking it interrupted');
      await finishWithoutRunning(services, operation, 'INTERRUPTED', INTERRUPTED_REASON);
      return { kind: 'DONE' };
    }

    const waitingFor = await claimTenants(services, operation);
    if (waitingFor) {
      waiting = true;
      if (services.databaseKind === 'pglite') progress.update({ statusReason: waitingFor });
      return await waitForTenants(services, operation, waitingFor, log);
    }

    const controller = new AbortController();
    const onShutdown = () => controller.abort({ reason: 'SHUTDOWN' });
    jobSignal.addEventListener('abort', onShutdown);
    runningOperations(services).set(operation.id, controller);
    try {
      const started = await markRunning(services, operation);
      if (!started) return { kind: 'DONE' };
      if (started.cancelRequested) controller.abort({ reason: 'CANCEL', actor: String(started.parameters.canceledBy ?? 'another user') });
      progress.start(started);
      log.info({ kind: operation.kind, method: operation.method, processing: operation.processing, total: operation.total }, 'bulk operation started');

      const run: RunContext = { services, operation: started, kind, actor, progress, signal: controller.signal, log };
      if (started.processing === 'BULK') await runBulk(run);
      else await runSequential(run);
      return { kind: 'DONE' };
    } finally {
      runningOperations(services).delete(operation.id);
      jobSignal.removeEventListener('abort', onShutdown);
    }
  } catch (error) {
    if (error instanceof StopRequestedError && error.request.reason === 'SHUTDOWN') return { kind: 'REQUEUE' };
    if (options.lastAttempt) {
      log.error({ err: error }, 'bulk operation failed on its last attempt');
      await finishWithoutRunning(services, operation, 'FAILED', `Unexpected error: ${(error as Error).message}. Objects saved before it stay saved.`);
      return { kind: 'DONE' };
    }
    throw error;
  } finally {
    if (!waiting || services.databaseKind !== 'pglite') progress.finish();
  }
}

/** Ends an operation that does no more work, keeping the counts it has. */
async function finishWithoutRunning(services: EngineServices, operation: BulkOperationRow, status: 'CANCELED' | 'INTERRUPTED' | 'FAILED', statusReason: string) {
  await services.db.transaction((tx) =>
    storeOutcome(tx, operation, actorOf(operation), {
      status,
      statusReason,
      processed: operation.processing === 'BULK' ? 0 : operation.processed,
      succeeded: operation.processing === 'BULK' ? 0 : operation.succeeded,
      failed: operation.processing === 'BULK' ? 0 : operation.failed,
      rolledBack: operation.processing === 'BULK' && operation.status === 'RUNNING',
    }),
  );
}

/**
 * Claims every tenant of the operation, or none. Returns why it must wait when a synchronization
 * run or another operation holds one. A claim held by this operation (a resumed one) is kept.
 */
async function claimTenants(services: EngineServices, operation: BulkOperationRow): Promise<string | null> {
  const tenantIds = [...operation.tenantIds].sort((a, b) => a - b);
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      await services.db.transaction(async (tx) => {
        for (const tenantId of tenantIds) await claimTenant(tx, tenantId, 'BULK_OPERATION', operation.id);
      });
      return null;
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'TENANT_BUSY') throw error;
      // A holder that finished without releasing (a crash in between) holds nothing.
      if (attempt === 1 && (await clearStaleTenantClaims(services.db)).length > 0) continue;
      const holder = error.details.holderKind === 'SYNCHRONIZATION_RUN' ? `synchronization run ${error.details.holderId}` : `bulk operation ${error.details.holderId}`;
      return `Waiting for ${holder} to finish: a synchronization run and a rework of the same tenant never overlap. This operation starts when it has finished.`;
    }
  }
  return null;
}

async function waitForTenants(services: EngineServices, operation: BulkOperationRow, reason: string, log: EngineServices['logger']): Promise<RunResult> {
  if (Date.now() - operation.createdAt.getTime() > MAX_TENANT_WAIT_MS) {
    await finishWithoutRunning(services, operation, 'FAILED', `Gave up after waiting 24 hours. ${reason}`);
    return { kind: 'DONE' };
  }
  if (operation.statusReason !== reason) {
    await services.db.update(bulkOperations).set({ statusReason: reason }).where(and(eq(bulkOperations.id, operation.id), eq(bulkOperations.status, 'QUEUED')));
    services.pubsub.publish('bulkOperation:progress', operation.id, { id: operation.id });
    log.info({ reason }, 'bulk operation waits for its tenant');
  }
  return { kind: 'WAIT', reason };
}

/** QUEUED becomes RUNNING; a resumed RUNNING operation keeps its start time. Undefined when it finished meanwhile. */
async function markRunning(services: EngineServices, operation: BulkOperationRow): Promise<BulkOperationRow | undefined> {
  const [row] = await services.db
    .update(bulkOperations)
    .set({ status: 'RUNNING', statusReason: null, startedAt: sql`coalesce(${bulkOperations.startedAt}, now())` })
    .where(and(eq(bulkOperations.id, operation.id), inArray(bulkOperations.status, ['QUEUED', 'RUNNING'])))
    .returning();
  return row;
}
