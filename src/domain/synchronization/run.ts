/**
 * The job body of a synchronization run. The whole run is one transaction: it succeeds entirely,
 * or it fails (bad file, guard, error) or is interrupted (shutdown, crash) and changes nothing but
 * its own row. The tenant's claim is released in the same transaction as the final status.
 */
import { basename } from 'node:path';
import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { synchronizationRuns } from '../../db/schema.ts';
import type { Services } from '../../graphql/context.ts';
import type { Logger } from '../../logger.ts';
import { SnapshotError } from '../../snapshot/index.ts';
import type { Actor } from '../actor.ts';
import { recordAudit } from '../audit.ts';
import { isDomainError } from '../errors.ts';
import { markSnapshotConsumed, removeSnapshotFolder } from '../snapshots.ts';
import { isFinalStatus, loadSynchronizationRuns, type SynchronizationRunRow } from '../synchronization-runs.ts';
import { releaseTenant } from '../tenant-claims.ts';
import { GuardTrippedError } from './guard.ts';
import { prepareRun } from './prepare.ts';
import { RunProgress } from './progress.ts';
import { registerRunningRun, unregisterRunningRun } from './running-runs.ts';
import { RunCounts, type RunScope } from './scope.ts';
import type { RunSource } from './start.ts';
import { refreshStaleStatistics } from './statistics.ts';
import { runSteps } from './steps.ts';

export async function executeSynchronizationRun(services: Services, runId: number, signal: AbortSignal): Promise<void> {
  const log = services.logger.child({ module: 'synchronization', runId });
  const [run] = await loadSynchronizationRuns(services.db, [runId]);
  if (!run) {
    log.warn('the job names a synchronization run that does not exist; nothing to do');
    return;
  }
  if (isFinalStatus(run.status)) return;

  const counts = new RunCounts();
  const progress = new RunProgress(services, runId, counts);
  if (run.status === 'RUNNING') {
    // Only a restart brings a RUNNING run back here, and its transaction died with the process.
    await storeFailure(services.db, run, null, {
      status: 'INTERRUPTED',
      reason: 'The server stopped while the run was in progress, so nothing was saved. Start the run again.',
      problem: null,
    });
    log.warn('synchronization run was cut off by a restart; marked INTERRUPTED');
    progress.finish();
    return;
  }

  const [started] = await services.db
    .update(synchronizationRuns)
    .set({ status: 'RUNNING', startedAt: new Date() })
    .where(and(eq(synchronizationRuns.id, runId), eq(synchronizationRuns.status, 'QUEUED')))
    .returning();
  if (!started) return;
  progress.start(started);
  log.info({ tenantId: run.tenantId, forced: run.forced }, 'synchronization run started');

  try {
    await synchronize(services, started, counts, progress, signal);
    log.info({ counts: counts.totals() }, 'synchronization run succeeded');
  } catch (error) {
    await progress.settle();
    const failure = describeFailure(error, signal, runId, log);
    await storeFailure(services.db, started, counts, failure);
  } finally {
    unregisterRunningRun(services, runId);
    progress.finish();
  }
}

async function synchronize(services: Services, run: SynchronizationRunRow, counts: RunCounts, progress: RunProgress, signal: AbortSignal): Promise<void> {
  const prepared = await prepareRun(services.db, run);
  registerRunningRun(services, { runId: run.id, tenantId: run.tenantId, tenantName: prepared.tenantName });
  await refreshStaleStatistics(services.db);
  const covered = new Set(prepared.tables.filter((table) => prepared.files.some((file) => file.table === table.name)).map((table) => table.id));

  await services.db.transaction(async (tx) => {
    const scope: RunScope = {
      runId: run.id,
      tenantId: run.tenantId,
      targetSystemId: run.targetSystemId,
      targetSystemTypeId: prepared.targetSystemTypeId,
      at: new Date(),
      tables: prepared.tables,
      covered,
    };
    const logger = services.logger.child({ module: 'synchronization', runId: run.id });
    const outcome = await runSteps(tx, scope, prepared.files, { force: run.forced, counts, progress, signal, logger });

    await progress.settle();
    await tx
      .update(synchronizationRuns)
      .set({ status: 'SUCCEEDED', finishedAt: new Date(), counts: counts.totals(), tableCounts: counts.perTable(), problem: null })
      .where(eq(synchronizationRuns.id, run.id));
    await releaseTenant(tx, run.tenantId, 'SYNCHRONIZATION_RUN', run.id);
    if (prepared.source.snapshotId) await markSnapshotConsumed(tx, prepared.source.snapshotId, scope.at);
    await recordAudit(tx, actorOf(run), {
      action: 'synchronization.run',
      outcome: 'SUCCEEDED',
      tenantId: run.tenantId,
      subjectType: 'SynchronizationRun',
      subjectId: run.id,
      details: {
        counts: counts.totals(),
        files: prepared.files.map((file) => basename(file.file)),
        forced: run.forced,
        forcedBy: run.forcedBy,
        guardOverridden: outcome.guardOverridden,
      },
    });
  });

  if (prepared.snapshotDirectory) await removeSnapshotFolder(prepared.snapshotDirectory);
}

interface Failure {
  status: 'FAILED' | 'INTERRUPTED';
  reason: string;
  problem: Record<string, unknown> | null;
}

function describeFailure(error: unknown, signal: AbortSignal, runId: number, log: Logger): Failure {
  if (signal.aborted) {
    log.warn({ err: error }, 'synchronization run stopped by shutdown; rolled back');
    return { status: 'INTERRUPTED', reason: 'The server shut down during the run, so nothing was saved. Start the run again.', problem: null };
  }
  if (error instanceof SnapshotError) {
    log.info({ file: error.file, location: error.location, field: error.field }, 'synchronization run failed: unreadable snapshot');
    const problem = { kind: 'SNAPSHOT_INVALID', file: basename(error.file), location: error.location ?? null, field: error.field ?? null, message: error.message };
    return { status: 'FAILED', reason: `${error.message} Nothing was changed.`, problem };
  }
  if (error instanceof GuardTrippedError) {
    log.warn({ tables: error.tables }, 'synchronization run stopped by the guard against mass removal');
    return { status: 'FAILED', reason: error.message, problem: { kind: 'GUARD_TRIPPED', tables: error.tables, message: error.message } };
  }
  if (isDomainError(error)) {
    log.info({ code: error.code }, `synchronization run failed: ${error.message}`);
    return { status: 'FAILED', reason: error.message, problem: { kind: error.code, message: error.message } };
  }
  log.error({ err: error }, 'synchronization run failed unexpectedly; rolled back');
  const reason = `The run failed unexpectedly and was rolled back, so nothing was changed. The server log has the details under run id ${runId}.`;
  return { status: 'FAILED', reason, problem: { kind: 'INTERNAL_ERROR', message: reason } };
}

/** Stores a failed or interrupted outcome and frees the tenant, outside the rolled-back transaction. */
async function storeFailure(db: Executor, run: SynchronizationRunRow, counts: RunCounts | null, failure: Failure): Promise<void> {
  // Without counts (a run cut off by a restart) the row keeps the counts its progress last wrote.
  const reached = counts ? { counts: counts.totals(), tableCounts: counts.perTable() } : {};
  await db.transaction(async (tx) => {
    await tx
      .update(synchronizationRuns)
      .set({ status: failure.status, statusReason: failure.reason, problem: failure.problem, finishedAt: new Date(), ...reached })
      .where(eq(synchronizationRuns.id, run.id));
    await releaseTenant(tx, run.tenantId, 'SYNCHRONIZATION_RUN', run.id);
    await recordAudit(tx, actorOf(run), {
      action: 'synchronization.run',
      outcome: 'FAILED',
      tenantId: run.tenantId,
      subjectType: 'SynchronizationRun',
      subjectId: run.id,
      details: { status: failure.status, reason: failure.reason, problem: failure.problem, forced: run.forced },
    });
  });
}

function actorOf(run: SynchronizationRunRow): Actor {
  const stored = (run.source as unknown as RunSource).actor;
  return { name: stored?.name ?? run.requestedBy, kind: stored?.kind ?? 'anonymous', role: stored?.role ?? 'viewer', tenantIds: null };
}
