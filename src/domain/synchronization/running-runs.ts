/**
 * Runs this process is executing right now, by tenant. The tenant claim in the database keeps two
 * runs apart. This registry only lets `synchronize` reject a second run at once on PGlite, where
 * any query would wait until the running run's transaction ends and then find the claim released.
 */
import type { Services } from '../../graphql/context.ts';

interface RunningRun {
  runId: number;
  tenantId: number;
  tenantName: string;
}

const runningByServices = new WeakMap<Services, Map<number, RunningRun>>();

export function registerRunningRun(services: Services, run: RunningRun): void {
  let running = runningByServices.get(services);
  if (!running) {
    running = new Map();
    runningByServices.set(services, running);
  }
  running.set(run.runId, run);
}

export function unregisterRunningRun(services: Services, runId: number): void {
  runningByServices.get(services)?.delete(runId);
}

/** Finds the run of this tenant (by id or name) that this process is executing. */
export function findRunningRun(services: Services, tenant: { tenantId?: number | null; tenantName?: string | null }): RunningRun | undefined {
  for (const run of runningByServices.get(services)?.values() ?? []) {
    if (run.tenantId === tenant.tenantId || run.tenantName === tenant.tenantName) return run;
  }
  return undefined;
}
