/**
 * `syncrework sync` and `syncrework log purge`. Both run in the process that owns the database:
 * `sync` reads the files by path, queues the run like the `synchronize` mutation does, and waits
 * for it to finish, printing its progress and counts.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Runtime } from '../app.ts';
import { purgeLogEntries } from '../domain/log-retention.ts';
import { startSynchronizationRun } from '../domain/synchronization/start.ts';
import { LIVE_PROGRESS_KIND } from '../domain/synchronization/progress.ts';
import { isFinalStatus, loadSynchronizationRuns, type SynchronizationRunRow } from '../domain/synchronization-runs.ts';
import type { Command } from './commands.ts';

const POLL_INTERVAL_MS = 1000;
const PROGRESS_INTERVAL_MS = 2000;

const COUNT_LABELS: [string, string][] = [
  ['read', 'rows read'],
  ['inserted', 'inserted'],
  ['updated', 'updated'],
  ['unchanged', 'unchanged'],
  ['markedOutstanding', 'marked outstanding'],
  ['deleted', 'deleted'],
  ['skippedOutstanding', 'skipped (outstanding)'],
  ['skippedPending', 'skipped (provisioning pending)'],
  ['unresolvedReferences', 'unresolved references'],
  ['resolvedReferences', 'references resolved'],
  ['identitiesCreated', 'identities created'],
];

export const syncCommands: Record<string, Command> = {
  sync: async ({ runtime, actor, print }, args) => {
    const paths = Array.isArray(args.paths) ? args.paths.map(String) : [];
    const run = await startSynchronizationRun(runtime.services.db, runtime.services, actor, {
      tenantName: String(args.tenant ?? ''),
      paths,
      culture: typeof args.culture === 'string' ? args.culture : null,
      force: args.force === true,
    });
    print(`Synchronization run ${run.id} of tenant ${JSON.stringify(args.tenant)} queued${run.forced ? ' (forced)' : ''}; waiting for it to finish.`);

    const final = await waitForRun(runtime, run.id, (row) => print(`  ... ${row.counts.read ?? 0} rows read, status ${row.status}`));
    print(`Synchronization run ${run.id} ${final.status}.`);
    for (const [key, label] of COUNT_LABELS) print(`  ${label}: ${final.counts[key] ?? 0}`);
    if (final.status !== 'SUCCEEDED') {
      print(`Error: ${final.statusReason ?? 'the run did not succeed.'}`);
      return 1;
    }
    printWhereToReadTheLog(runtime, run.id, print);
    return 0;
  },

  'log-purge': async ({ runtime, print }, args) => {
    const days = args.olderThanDays === undefined ? runtime.services.config.LOG_RETENTION_DAYS : Number(args.olderThanDays);
    const result = await purgeLogEntries(runtime.services.db, days);
    print(`Deleted ${result.entriesDeleted} log entries older than ${days} days (before ${result.cutoff.toISOString()}) of ${result.objectsAffected} objects.`);
    return 0;
  },
};

/**
 * Waits until the run reaches a final status. Progress events wake the wait early; polling covers
 * a run that another instance's worker took (events do not cross processes without Redis).
 */
async function waitForRun(runtime: Runtime, runId: number, onProgress: (row: SynchronizationRunRow) => void): Promise<SynchronizationRunRow> {
  const { services } = runtime;
  const events = services.pubsub.subscribe('synchronizationRun:progress', runId)[Symbol.asyncIterator]();
  let lastProgress = Date.now();
  try {
    for (;;) {
      const row = await currentState(runtime, runId);
      if (isFinalStatus(row.status)) return row;
      if (Date.now() - lastProgress >= PROGRESS_INTERVAL_MS) {
        onProgress(row);
        lastProgress = Date.now();
      }
      await Promise.race([events.next(), new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS).unref())]);
    }
  } finally {
    await events.return?.();
  }
}

/** Returns the live state while this process runs the run (the database is busy with it on PGlite), else the stored row. */
async function currentState(runtime: Runtime, runId: number): Promise<SynchronizationRunRow> {
  const live = runtime.services.liveProgress.get(LIVE_PROGRESS_KIND, runId);
  if (live && 'id' in live) return live as SynchronizationRunRow;
  const [row] = await loadSynchronizationRuns(runtime.services.db, [runId]);
  if (!row) throw new Error(`Synchronization run ${runId} vanished from the database.`);
  return row;
}

function printWhereToReadTheLog(runtime: Runtime, runId: number, print: (line: string) => void): void {
  const { HOST, PORT } = runtime.services.config;
  const id = encodeGlobalID('SynchronizationRun', runId);
  print(`Read the log of this run with GraphQL at http://${HOST}:${PORT}/graphql, e.g.:`);
  print(`  { node(id: "${id}") { ... on SynchronizationRun { logEntries(first: 100) { edges { node { method message object { displayName } } } } } } }`);
  print('Unresolved references are listed by the query `unresolvedReferences`.');
}
