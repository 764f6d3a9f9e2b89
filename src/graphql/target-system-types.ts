import DataLoader from 'dataloader';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { parsePageArgs, toConnection } from './pagination.ts';
import { loaderFor } from './loaders.ts';
import { integerNodeId } from './node-ids.ts';
import { SyncTable, SyncTableConnection } from './sync-tables.ts';
import {
  countAssignedSyncTables,
  countOutstandingByTargetSystemType,
  countTargetSystemTypes,
  listAssignedSyncTables,
  listTargetSystemTypes,
  loadTargetSystemTypes,
  type TargetSystemTypeRow,
} from '../domain/catalog.ts';
import { tenantScope } from '../domain/tenant-scope.ts';

export const TargetSystemType = builder.loadableNodeRef<TargetSystemTypeRow, number, number>('TargetSystemType', {
  id: integerNodeId,
  load: async (ids, context) => {
    const rows = await loadTargetSystemTypes(context.db, ids);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? new Error(`TargetSystemType ${id} not found.`));
  },
});

const outstandingCountLoader = (context: Context) =>
  new DataLoader<number, number>(async (ids) => {
    const counts = await countOutstandingByTargetSystemType(context.db, ids, tenantScope(context.actor));
    return ids.map((id) => counts.get(id) ?? 0);
  });

builder.objectType(TargetSystemType, {
  description: 'A kind of target system, such as Exchange Online. It owns a set of synchronization tables.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Display name, e.g. "Exchange Online".' }),
    connectorKind: t.exposeString('connectorKind', {
      description: 'Which connector implementation serves target systems of this type, e.g. `exchange-online`.',
    }),
    outstandingCount: t.int({
      description: 'Outstanding objects in the tables assigned to this type, across all its target systems in the tenants the caller may see.',
      resolve: (row, _args, context) => loaderFor(context, 'targetSystemTypeOutstanding', outstandingCountLoader).load(row.id),
    }),
    syncTables: t.connection({
      description: 'Synchronization tables assigned to this type (object and assignment tables, custom ones included), by name.',
      type: SyncTable,
      resolve: async (row, args, context) => {
        const page = parsePageArgs(args, 2);
        const rows = await listAssignedSyncTables(context.db, row.id, page);
        return toConnection(rows, page, (table) => [table.name, table.id], () => countAssignedSyncTables(context.db, row.id));
      },
    }, SyncTableConnection),
  }),
});

export const TargetSystemTypeConnection = builder.connectionObject(
  { type: TargetSystemType, name: 'TargetSystemTypeConnection', description: 'A page of target system types.' },
  { name: 'TargetSystemTypeEdge', description: 'One TargetSystemType with its cursor.' },
);

builder.queryField('targetSystemTypes', (t) =>
  t.connection({
    description: 'Every target system type, by name.',
    type: TargetSystemType,
    resolve: async (_root, args, context) => {
      const page = parsePageArgs(args, 2);
      const rows = await listTargetSystemTypes(context.db, page);
      return toConnection(rows, page, (row) => [row.name, row.id], () => countTargetSystemTypes(context.db));
    },
  }, TargetSystemTypeConnection),
);
