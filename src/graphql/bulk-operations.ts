/**
 * The BulkOperation node: long work over many objects (reworks, linking accounts) with its status,
 * counts and failures, the `bulkOperations` list and the `bulkOperationProgress` subscription.
 *
 * While an operation runs, this process's live progress holds its whole current state: on PGlite
 * its BULK transaction holds the only connection, so the node is served from there without a read.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import DataLoader from 'dataloader';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { parseId } from './global-ids.ts';
import { loaderFor } from './loaders.ts';
import { integerNodeId } from './node-ids.ts';
import { objectLoader } from './object-loaders.ts';
import { OperationStatus } from './operation-status.ts';
import { parsePageArgs, toConnection } from './pagination.ts';
import { watchProgress } from './progress.ts';
import { TargetSystemObject } from './target-system-objects.ts';
import { Tenant } from './tenants.ts';
import { LIVE_PROGRESS_KIND } from '../domain/bulk-operations/progress.ts';
import {
  countBulkOperationFailures,
  isBulkOperationVisible,
  listBulkOperationFailures,
  loadBulkOperations,
  loadRecentFailures,
} from '../domain/bulk-operations/queries.ts';
import { isFinalBulkOperationStatus, RECENT_FAILURE_COUNT, type BulkOperationRow, type LiveBulkOperation } from '../domain/bulk-operations/types.ts';

/** A failure as both the live state and the stored rows show it. */
interface FailureShape {
  objectId: number | null;
  objectDisplayName: string | null;
  code: string;
  message: string;
}

export const Processing = builder.enumType('Processing', {
  description: 'How a bulk operation processes its objects.',
  values: {
    BULK: { description: 'All objects in one transaction: any failure rolls every change back. The default.' },
    SEQUENTIAL: { description: 'One object after another, each saved on its own: the first failure stops the operation and keeps what was saved.' },
  } as const,
});

export const BulkOperationKind = builder.enumType('BulkOperationKind', {
  description: 'What a bulk operation does.',
  values: {
    REWORK: { description: 'Deletes, publishes or resets outstanding objects (`reworkOutstandingObjects`).' },
    LINK_ACCOUNTS: { description: 'Assigns an account definition and a manage level to many accounts, or changes their management.' },
  } as const,
});

/** Loads operations by id, taking those this process runs from its live progress. */
export async function loadOperations(context: Context, ids: readonly number[]): Promise<Map<number, BulkOperationRow | LiveBulkOperation>> {
  const result = new Map<number, BulkOperationRow | LiveBulkOperation>();
  const stored: number[] = [];
  for (const id of ids) {
    const live = context.services.liveProgress.get(LIVE_PROGRESS_KIND, id) as LiveBulkOperation | undefined;
    if (live) result.set(id, live);
    else stored.push(id);
  }
  for (const row of await loadBulkOperations(context.db, stored)) result.set(row.id, row);
  for (const [id, row] of result) if (!isBulkOperationVisible(row, context.actor)) result.delete(id);
  return result;
}

export const BulkOperation = builder.loadableNodeRef<BulkOperationRow | LiveBulkOperation, number, number>('BulkOperation', {
  id: integerNodeId,
  load: async (ids, context) => {
    const byId = await loadOperations(context, ids);
    return ids.map((id) => byId.get(id) ?? new Error(`BulkOperation ${id} not found.`));
  },
});

const BulkOperationFailure = builder.objectRef<FailureShape>('BulkOperationFailure').implement({
  description: 'One object that failed in a bulk operation, and why.',
  fields: (t) => ({
    object: t.field({
      type: TargetSystemObject,
      nullable: true,
      description: 'The object; null when it no longer exists or the failure concerns no single object.',
      resolve: (failure, _args, context) => (failure.objectId === null ? null : objectLoader(context).load(failure.objectId)),
    }),
    objectDisplayName: t.string({
      nullable: true,
      description: 'Display name of the object when it failed, kept after the object is gone.',
      resolve: (failure) => failure.objectDisplayName,
    }),
    code: t.exposeString('code', {
      description: 'Stable code: a constraint code (e.g. `TABLE_NOT_PUBLISHABLE`), `NOT_FOUND`, `NOT_OUTSTANDING`, `BUSY` or `DATABASE_ERROR`.',
    }),
    message: t.exposeString('message', { description: 'What went wrong and what to do, in English.' }),
  }),
});

const BulkOperationFailureConnection = builder.connectionObject(
  { type: BulkOperationFailure, name: 'BulkOperationFailureConnection', description: 'A page of the failed objects of a bulk operation.' },
  { name: 'BulkOperationFailureEdge', description: 'A failed object and its cursor.' },
);

export const BulkOperationConnection = builder.connectionObject(
  { type: BulkOperation, name: 'BulkOperationConnection', description: 'A page of bulk operations.' },
  { name: 'BulkOperationEdge', description: 'A bulk operation and its cursor.' },
);

const recentFailuresLoader = (context: Context) =>
  new DataLoader<number, FailureShape[]>(async (ids) => {
    const byOperation = await loadRecentFailures(context.db, ids, RECENT_FAILURE_COUNT);
    return ids.map((id) => byOperation.get(id) ?? []);
  });

builder.objectType(BulkOperation, {
  description: 'Long work over many objects, run as a durable job: a rework or a change of many accounts. Follow it with `bulkOperationProgress`.',
  fields: (t) => ({
    kind: t.field({ type: BulkOperationKind, description: 'What the operation does.', resolve: (row) => row.kind as 'REWORK' }),
    method: t.exposeString('method', {
      description: 'What it does to each object: DELETE, PUBLISH or RESET for a rework; ASSIGN_ACCOUNT_DEFINITION or CHANGE_MANAGEMENT for accounts.',
    }),
    processing: t.field({ type: Processing, description: 'BULK (all or nothing) or SEQUENTIAL (one by one).', resolve: (row) => row.processing as 'BULK' }),
    continueOnError: t.exposeBoolean('continueOnError', {
      description: 'True when it goes on after a failure to report every failure (SEQUENTIAL saves the others; BULK still rolls back).',
    }),
    status: t.field({ type: OperationStatus, description: 'Where the operation is in its lifecycle.', resolve: (row) => row.status as 'QUEUED' }),
    statusReason: t.exposeString('statusReason', {
      nullable: true,
      description: 'Why it failed, was interrupted or canceled, or what a queued operation waits for.',
    }),
    total: t.exposeInt('total', { description: 'Objects in the selection, fixed when the operation was accepted.' }),
    processed: t.exposeInt('processed', { description: 'Objects handled so far, failed ones included. Grows while it runs.' }),
    succeeded: t.exposeInt('succeeded', {
      description: 'Objects changed so far. A BULK operation saves them only when it succeeds; after a rollback this is 0.',
    }),
    failed: t.exposeInt('failed', { description: 'Objects that failed so far; `failures` lists them.' }),
    rolledBack: t.exposeBoolean('rolledBack', { description: 'True when a BULK operation discarded every change (it failed, was canceled or interrupted).' }),
    cancelRequested: t.exposeBoolean('cancelRequested', { description: 'True once `cancelBulkOperation` asked it to stop.' }),
    failures: t.connection({
      type: BulkOperationFailure,
      description: 'The failed objects in the order they failed. While a BULK operation runs, its failures are stored only when it ends.',
      resolve: async (row, args, context) => {
        const page = parsePageArgs(args, 1);
        const rows = await listBulkOperationFailures(context.db, row.id, page);
        return toConnection(rows, page, (failure) => [failure.id], () => countBulkOperationFailures(context.db, row.id));
      },
    }, BulkOperationFailureConnection),
    recentFailures: t.field({
      type: [BulkOperationFailure],
      description: `The newest failures, at most ${RECENT_FAILURE_COUNT}, oldest first, also while the operation runs; for progress views.`,
      resolve: (row, _args, context) =>
        'recentFailures' in row ? row.recentFailures : loaderFor(context, 'bulkOperationRecentFailures', recentFailuresLoader).load(row.id),
    }),
    tenants: t.field({
      type: [Tenant],
      description: 'The tenants whose objects the operation changes.',
      resolve: (row) => row.tenantIds,
    }),
    requestedBy: t.exposeString('requestedBy', { description: 'Who submitted it: a user name, `token:<name>` or an operating-system user.' }),
    createdAt: t.field({ type: 'DateTime', description: 'When it was accepted.', resolve: (row) => row.createdAt }),
    startedAt: t.field({ type: 'DateTime', nullable: true, description: 'When it started working.', resolve: (row) => row.startedAt }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, description: 'When it reached its final status.', resolve: (row) => row.finishedAt }),
  }),
});

builder.subscriptionField('bulkOperationProgress', (t) =>
  t.field({
    description:
      'The operation now, then each change of its status or counts (at most about 10 a second), ending after its final state. A late subscriber gets the current state first.',
    type: BulkOperation,
    args: { id: t.arg.id({ required: true, description: 'The operation to watch.' }) },
    subscribe: (_root, args, context) => {
      const id = parseId(String(args.id), ['BulkOperation'], 'id');
      return watchProgress({
        pubsub: context.services.pubsub,
        channel: 'bulkOperation:progress',
        id,
        notFoundMessage: `Bulk operation ${encodeGlobalID('BulkOperation', id)} not found. Pass an ID from \`reworkOutstandingObjects\` or \`bulkOperations\`.`,
        load: async () => (await loadOperations(context, [id])).get(id) ?? null,
        isFinal: (row) => isFinalBulkOperationStatus(row.status),
      });
    },
    resolve: (row) => row,
  }),
);
