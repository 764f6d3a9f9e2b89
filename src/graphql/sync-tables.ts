import DataLoader from 'dataloader';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { loaderFor } from './loaders.ts';
import { integerNodeId } from './node-ids.ts';
import { countOutstandingBySyncTable, loadSyncTables, type SyncTableRow } from '../domain/catalog.ts';
import { tenantScope } from '../domain/tenant-scope.ts';

export const SyncTableKind = builder.enumType('SyncTableKind', {
  description: 'Whether a synchronization table holds objects or assignments (member lists).',
  values: {
    OBJECT: { description: 'One row per target-system object, e.g. a mail user.' },
    ASSIGNMENT: { description: 'One row per membership: a container object paired with a member.' },
  } as const,
});

export const SyncTable = builder.loadableNodeRef<SyncTableRow, number, number>('SyncTable', {
  id: integerNodeId,
  load: async (ids, context) => {
    const rows = await loadSyncTables(context.db, ids);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? new Error(`SyncTable ${id} not found.`));
  },
});

const outstandingCountLoader = (context: Context) =>
  new DataLoader<number, number>(async (ids) => {
    const counts = await countOutstandingBySyncTable(context.db, ids, tenantScope(context.actor));
    return ids.map((id) => counts.get(id) ?? 0);
  });

builder.objectType(SyncTable, {
  description: 'A synchronization table: one table of target-system objects, built in or custom.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Technical name, also the snapshot file name, e.g. `MailUser`.' }),
    displayName: t.exposeString('displayName', { description: 'Name shown to people, e.g. "Mail users".' }),
    kind: t.field({ type: SyncTableKind, description: 'Object table or assignment table.', resolve: (row) => row.kind as 'OBJECT' | 'ASSIGNMENT' }),
    isCustom: t.exposeBoolean('isCustom', { description: 'True for a table added by the customer.' }),
    outstandingCount: t.int({
      description: 'Objects of this table that are outstanding, in the tenants the caller may see.',
      resolve: (row, _args, context) => loaderFor(context, 'syncTableOutstanding', outstandingCountLoader).load(row.id),
    }),
  }),
});

export const SyncTableConnection = builder.connectionObject(
  { type: SyncTable, name: 'SyncTableConnection', description: 'A page of synchronization tables.' },
  { name: 'SyncTableEdge', description: 'One SyncTable with its cursor.' },
);
