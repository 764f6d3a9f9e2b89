/**
 * The steps of a run inside its one transaction, in order. Each step is set-based; progress is
 * reported between them.
 */
import { sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.ts';
import type { Logger } from '../../logger.ts';
import type { SnapshotTable } from '../../snapshot/index.ts';
import { applyObjectPlan } from './apply.ts';
import { countPlan, planObjects } from './compare.ts';
import { evaluateGuard, GuardTrippedError, type GuardTableReport } from './guard.ts';
import { linkNewAccounts } from './linking.ts';
import { applyMemberPlan, countMemberPlan, markRowsOfDeletedContainers, planMembers } from './members.ts';
import type { RunProgress } from './progress.ts';
import { assignmentTables, type RunCounts, type RunScope } from './scope.ts';
import { createStagingTables, stageSnapshot } from './stage.ts';
import { recordUnresolvedReferences, resolveReferences } from './unresolved.ts';

/** Inserted objects after which the run refreshes the table statistics before comparing member lists. */
const ANALYZE_AFTER_INSERTS = 5000;

export interface StepsOutcome {
  /** The guard's report when a forced run went past it; empty otherwise. */
  guardOverridden: GuardTableReport[];
}

export async function runSteps(
  tx: Transaction,
  scope: RunScope,
  files: SnapshotTable[],
  options: { force: boolean; counts: RunCounts; progress: RunProgress; signal: AbortSignal; logger: Logger },
): Promise<StepsOutcome> {
  const { counts, progress, signal } = options;
  let stepStarted = performance.now();
  const stepDone = (step: string) => {
    options.logger.debug({ step, durationMs: Math.round(performance.now() - stepStarted) }, 'synchronization step finished');
    progress.report();
    stepStarted = performance.now();
  };

  // Sorts and hashes over a whole snapshot spill to disk at the default work_mem of 4 MB.
  await tx.execute(sql`set local work_mem = '64MB'`);
  await createStagingTables(tx);
  await stageSnapshot(tx, scope, files, counts, progress, signal);
  stepDone('stage');

  const summary = await planObjects(tx, scope);
  const guard = evaluateGuard(scope, summary);
  if (guard.length > 0 && !options.force) throw new GuardTrippedError(guard);
  countPlan(scope, summary, counts);
  stepDone('compare');

  signal.throwIfAborted();
  await applyObjectPlan(tx, scope, counts);
  // The member lists are compared with the objects just inserted; without fresh statistics the
  // planner takes their table for nearly empty and picks nested loops. NOTE: the ANALYZE lock is
  // held until the run commits, so another tenant's large import waits for it.
  if ((counts.totals().inserted ?? 0) >= ANALYZE_AFTER_INSERTS) await tx.execute(sql`analyze objects`);
  stepDone('objects');

  for (const assignment of assignmentTables(scope)) {
    signal.throwIfAborted();
    await markRowsOfDeletedContainers(tx, scope, assignment, counts);
    if (scope.covered.has(assignment.id)) {
      await planMembers(tx, scope, assignment);
      await countMemberPlan(tx, assignment, counts);
      await applyMemberPlan(tx, scope, assignment);
      await recordUnresolvedReferences(tx, scope, assignment, counts);
    } else {
      await resolveReferences(tx, scope, assignment, counts);
    }
    stepDone(`members of ${assignment.name}`);
  }

  signal.throwIfAborted();
  await linkNewAccounts(tx, scope, counts);
  stepDone('linking');

  return { guardOverridden: guard };
}

