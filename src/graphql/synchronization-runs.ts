/**
 * The SynchronizationRun node, its list and its progress subscription. A running run's changes
 * are invisible until it commits, so its progress comes from this process's live progress.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { parseId } from './global-ids.ts';
import { integerNodeId } from './node-ids.ts';
import { OperationStatus } from './operation-status.ts';
import { parsePageArgs, toConnection } from './pagination.ts';
import { watchProgress } from './progress.ts';
import { SynchronizationCounts, SynchronizationTableCounts } from './synchronization-counts.ts';
import { Tenant } from './tenants.ts';
import {
  countSynchronizationRuns,
  isFinalStatus,
  listSynchronizationRuns,
  loadSynchronizationRuns,
  type SynchronizationRunRow,
} from '../domain/synchronization-runs.ts';
import { LIVE_PROGRESS_KIND } from '../domain/synchronization/progress.ts';
import { inTenantScope, tenantScope } from '../domain/tenant-scope.ts';

/** Merges the running process's newer progress over the stored row. */
function withLiveProgress(context: Context, row: SynchronizationRunRow): SynchronizationRunRow {
  const live = context.services.liveProgress.get(LIVE_PROGRESS_KIND, row.id);
  return live ? { ...row, ...live } : row;
}

function isVisible(context: Context, row: SynchronizationRunRow): boolean {
  return inTenantScope(tenantScope(context.actor), row.tenantId);
}

/**
 * Loads the run as readers should see it. While this process runs it, the live state contains the
 * whole row, so no query is needed. On PGlite a query would wait until the run's transaction ends.
 */
async function loadRun(context: Context, id: number): Promise<SynchronizationRunRow | null> {
  const live = context.services.liveProgress.get(LIVE_PROGRESS_KIND, id);
  if (live && 'id' in live) return live as SynchronizationRunRow;
  const [row] = await loadSynchronizationRuns(context.db, [id]);
  return row ? withLiveProgress(context, row) : null;
}

export const SynchronizationRun = builder.loadableNodeRef<SynchronizationRunRow, number, number>('SynchronizationRun', {
  id: integerNodeId,
  load: async (ids, context) => {
    const rows = await loadSynchronizationRuns(context.db, ids);
    const byId = new Map(rows.filter((row) => isVisible(context, row)).map((row) => [row.id, withLiveProgress(context, row)]));
    return ids.map((id) => byId.get(id) ?? new Error(`SynchronizationRun ${id} not found.`));
  },
});

builder.objectType(SynchronizationRun, {
  description: 'One import of a target system snapshot. It compares the snapshot with the database and writes the synchronization log.',
  fields: (t) => ({
    tenant: t.field({ type: Tenant, description: 'The tenant whose target system was synchronized.', resolve: (row) => row.tenantId }),
    status: t.field({ type: OperationStatus, description: 'Where the run is in its lifecycle.', resolve: (row) => row.status as never }),
    statusReason: t.exposeString('statusReason', { nullable: true, description: 'Why the run failed or was interrupted, and what to do.' }),
    counts: t.field({ type: SynchronizationCounts, description: 'What the run did so far, over all tables.', resolve: (row) => row.counts }),
    tableCounts: t.field({
      type: [SynchronizationTableCounts],
      description: 'What the run did so far, per synchronization table the snapshot covered.',
      resolve: (row) => Object.entries(row.tableCounts ?? {}).map(([tableName, counts]) => ({ tableName, counts })),
    }),
    problem: t.expose('problem', {
      type: 'JSON',
      nullable: true,
      description:
        'What stopped the run, as data: `{ kind: "SNAPSHOT_INVALID", file, location, field, message }` for a file that cannot be read, ' +
        '`{ kind: "GUARD_TRIPPED", tables: [{ table, wouldRemove, tableSize, percent, maxCount, maxPercent }], message }` for the guard.',
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
  { name: 'SynchronizationRunEdge', description: 'A synchronization run and its cursor.' },
);

builder.queryField('synchronizationRuns', (t) =>
  t.connection({
    description: 'Synchronization runs, newest first.',
    type: SynchronizationRun,
    authScopes: { viewer: true },
    args: { tenant: t.arg.id({ required: false, description: 'Only runs of this tenant (a Tenant ID).' }) },
    resolve: async (_root, args, context) => {
      const filter = {
        tenantId: args.tenant != null ? parseId(String(args.tenant), ['Tenant'], 'tenant') : null,
        visibleTenantIds: context.actor.tenantIds,
      };
      const page = parsePageArgs(args, 1);
      const rows = await listSynchronizationRuns(context.db, page, filter);
      const merged = rows.map((row) => withLiveProgress(context, row));
      return toConnection(merged, page, (row) => [row.id], () => countSynchronizationRuns(context.db, filter));
    },
  }, SynchronizationRunConnection),
);

builder.subscriptionField('synchronizationRunProgress', (t) =>
  t.field({
    description: 'The run now, then each change of its status or counts (at most about 10 a second), ending after its final state.',
    type: SynchronizationRun,
    authScopes: { viewer: true },
    args: { id: t.arg.id({ required: true, description: 'The run to watch.' }) },
    subscribe: (_root, args, context) => {
      const id = parseId(String(args.id), ['SynchronizationRun'], 'id');
      return watchProgress({
        pubsub: context.services.pubsub,
        channel: 'synchronizationRun:progress',
        id,
        notFoundMessage: `Synchronization run ${encodeGlobalID('SynchronizationRun', id)} not found. Pass an ID from \`synchronize\` or \`synchronizationRuns\`.`,
        load: async () => {
          const row = await loadRun(context, id);
          return row && isVisible(context, row) ? row : null;
        },
        isFinal: (row) => isFinalStatus(row.status),
      });
    },
    resolve: (row) => row,
  }),
);
