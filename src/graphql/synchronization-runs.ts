import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { parseIntegerId } from './loaders.ts';
import { OperationStatus } from './operation-status.ts';
import { parsePageArgs, toConnection } from './pagination.ts';
import { watchProgress } from './progress.ts';
import { Tenant } from './tenants.ts';
import {
  countSynchronizationRuns,
  isFinalStatus,
  listSynchronizationRuns,
  loadSynchronizationRuns,
  type SynchronizationRunRow,
} from '../domain/synchronization-runs.ts';

/** The stored row with the running process's newer progress merged over it. */
function withLiveProgress(context: Context, row: SynchronizationRunRow): SynchronizationRunRow {
  const live = context.services.liveProgress.get('synchronizationRun', row.id);
  return live ? { ...row, ...live } : row;
}

export const SynchronizationRun = builder.loadableNodeRef<SynchronizationRunRow, number, number>('SynchronizationRun', {
  id: { resolve: (row) => row.id, parse: (id) => parseIntegerId(id) },
  load: async (ids, context) => {
    const rows = await loadSynchronizationRuns(context.db, ids);
    const byId = new Map(rows.map((row) => [row.id, withLiveProgress(context, row)]));
    return ids.map((id) => byId.get(id) ?? new Error(`SynchronizationRun ${id} not found.`));
  },
});

const SynchronizationCounts = builder.objectRef<Record<string, number>>('SynchronizationCounts').implement({
  description: 'What a synchronization run did, per kind of change. Counts grow while the run is in progress.',
  fields: (t) => {
    const countField = (key: string, description: string) => t.int({ description, resolve: (counts) => counts[key] ?? 0 });
    return {
      inserted: countField('inserted', 'Objects new in the snapshot, inserted.'),
      updated: countField('updated', 'Objects whose properties or member list changed, updated.'),
      unchanged: countField('unchanged', 'Objects found unchanged.'),
      markedOutstanding: countField('markedOutstanding', 'Objects missing from the snapshot, marked outstanding.'),
      deleted: countField('deleted', 'Objects missing from the snapshot whose table deletes instead of marking.'),
      skippedOutstanding: countField('skippedOutstanding', 'Objects skipped because they are outstanding (frozen until reworked).'),
      skippedPending: countField('skippedPending', 'Objects not marked because their provisioning is still pending.'),
      unresolvedReferences: countField('unresolvedReferences', 'Member rows whose group or member the snapshot did not hold.'),
      identitiesCreated: countField('identitiesCreated', 'Identities created for new mail users and mail contacts.'),
    };
  },
});

builder.objectType(SynchronizationRun, {
  description: 'One import of a target system snapshot. It compares the snapshot with the database and writes the synchronization log.',
  fields: (t) => ({
    tenant: t.field({ type: Tenant, description: 'The tenant whose target system was synchronized.', resolve: (row) => row.tenantId }),
    status: t.field({ type: OperationStatus, description: 'Where the run is in its lifecycle.', resolve: (row) => row.status as never }),
    statusReason: t.exposeString('statusReason', { nullable: true, description: 'Why the run failed, was interrupted or canceled.' }),
    counts: t.field({ type: SynchronizationCounts, description: 'What the run did so far.', resolve: (row) => row.counts }),
    problem: t.expose('problem', {
      type: 'JSON',
      nullable: true,
      description: 'Details of what stopped the run: the guard report (counts per table) or the snapshot error (file, row, field).',
    }),
    forced: t.exposeBoolean('forced', { description: 'True when the guard against mass removal was overridden.' }),
    forcedBy: t.exposeString('forcedBy', { nullable: true, description: 'Who forced the run, when it was forced.' }),
    culture: t.exposeString('culture', { nullable: true, description: 'Culture used to read dates in the snapshot, e.g. `de-DE`.' }),
    requestedBy: t.exposeString('requestedBy', { description: 'Who started the run.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the run was requested.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true, description: 'When the run started working.' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'When the run reached its final status.' }),
  }),
});

export const SynchronizationRunConnection = builder.connectionObject(
  { type: SynchronizationRun, name: 'SynchronizationRunConnection', description: 'A page of synchronization runs.' },
  { name: 'SynchronizationRunEdge', description: 'One SynchronizationRun with its cursor.' },
);

builder.queryField('synchronizationRuns', (t) =>
  t.connection({
    description: 'Synchronization runs, newest first.',
    type: SynchronizationRun,
    authScopes: { viewer: true },
    resolve: async (_root, args, context) => {
      const page = parsePageArgs(args, 1);
      const rows = await listSynchronizationRuns(context.db, page);
      const merged = rows.map((row) => withLiveProgress(context, row));
      return toConnection(merged, page, (row) => [row.id], () => countSynchronizationRuns(context.db));
    },
  }, SynchronizationRunConnection),
);

builder.subscriptionField('synchronizationRunProgress', (t) =>
  t.field({
    description: 'The run now, then each change of its status or counts (at most about 10 a second), ending after its final state.',
    type: SynchronizationRun,
    authScopes: { viewer: true },
    args: { id: t.arg.globalID({ for: SynchronizationRun, required: true, description: 'The run to watch.' }) },
    subscribe: (_root, { id }, context) =>
      watchProgress({
        pubsub: context.services.pubsub,
        channel: 'synchronizationRun:progress',
        id: id.id,
        notFoundMessage: `Synchronization run ${id.id} not found. Pass an id from \`synchronize\` or \`synchronizationRuns\`.`,
        load: async () => {
          const [row] = await loadSynchronizationRuns(context.db, [id.id]);
          return row ? withLiveProgress(context, row) : null;
        },
        isFinal: (row) => isFinalStatus(row.status),
      }),
    resolve: (row) => row,
  }),
);
