/**
 * Set-up fields of synchronization tables: their sides (for member lists), the action of a run on
 * missing objects, the guard limits, and per target system type the assignment and publishing flag.
 * Also the `syncTables` list of every table, assigned or not.
 */
import DataLoader from 'dataloader';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { loaderFor } from './loaders.ts';
import { parsePageArgs, toConnection } from './pagination.ts';
import { SyncTable, SyncTableConnection } from './sync-tables.ts';
import { TargetSystemType } from './target-system-types.ts';
import { loadTableAssignments, type TableAssignmentRow } from '../domain/sync-table-assignments.ts';
import { countSyncTables, listSyncTables, type MISSING_ACTIONS } from '../domain/sync-tables.ts';
import type { SyncTableRow } from '../domain/catalog.ts';

export const MissingAction = builder.enumType('MissingAction', {
  description: 'What a synchronization run does with an object that is missing from the snapshot.',
  values: {
    MARK_OUTSTANDING: { description: 'Mark it outstanding, so someone decides: delete, publish or reset.' },
    DELETE: { description: 'Delete it from the database at once.' },
  } satisfies Record<(typeof MISSING_ACTIONS)[number], { description: string }>,
});

const SyncTableGuard = builder.objectRef<SyncTableRow>('SyncTableGuard').implement({
  description:
    'Limits of the guard against a truncated export: a run that would mark or delete more than `maxCount` objects of this table, or more than `maxPercent` % of it once it holds `minTableSize`, stops before changing anything unless forced.',
  fields: (t) => ({
    maxCount: t.exposeInt('guardMaxCount', { description: 'Most objects one run may mark or delete in this table.' }),
    maxPercent: t.exposeInt('guardMaxPercent', { description: 'Largest share of the table, in percent, one run may mark or delete.' }),
    minTableSize: t.exposeInt('guardMinTableSize', { description: 'Objects the table must hold before the percentage limit applies.' }),
  }),
});

const assignmentLoader = (context: Context) =>
  new DataLoader<number, TableAssignmentRow[]>(async (tableIds) => {
    const rows = await loadTableAssignments(context.db, tableIds);
    return tableIds.map((id) => rows.filter((row) => row.syncTableId === id));
  });

builder.objectFields(SyncTable, (t) => ({
  containerTable: t.field({
    type: SyncTable,
    nullable: true,
    description: 'Assignment tables: the object table whose objects hold the member lists (e.g. distribution groups).',
    resolve: (row) => row.containerTableId,
  }),
  memberTable: t.field({
    type: SyncTable,
    nullable: true,
    description: 'Assignment tables: the object table of the members, or null when members may come from any table.',
    resolve: (row) => row.memberTableId,
  }),
  missingAction: t.field({ type: MissingAction, description: 'What a run does with objects missing from the snapshot.', resolve: (row) => row.missingAction as 'MARK_OUTSTANDING' | 'DELETE' }),
  guard: t.field({ type: SyncTableGuard, description: 'Guard limits of this table.', resolve: (row) => row },),
  version: t.exposeInt('version', { description: 'Increases with every change; send it with `updateSyncTable`.' }),
  assignedTo: t.field({
    type: [TargetSystemType],
    description: 'Target system types this table is assigned to. Only there does it take part in synchronization runs and show outstanding objects.',
    resolve: async (row, _args, context) => (await loaderFor(context, 'syncTableAssignments', assignmentLoader).load(row.id)).map((assignment) => assignment.targetSystemTypeId),
  }),
  publishingEnabled: t.boolean({
    description:
      'Whether objects of this table may be published for the target system type given; without it, whether publishing is enabled for any type the table is assigned to. False for a type the table is not assigned to.',
    args: { targetSystemType: t.arg.globalID({ for: TargetSystemType, required: false, description: 'The target system type to ask about.' }) },
    resolve: async (row, args, context) => {
      const assignments = await loaderFor(context, 'syncTableAssignments', assignmentLoader).load(row.id);
      const typeId = args.targetSystemType?.id;
      return assignments.some((assignment) => assignment.publishingEnabled && (typeId === undefined || assignment.targetSystemTypeId === typeId));
    },
  }),
}));

builder.queryField('syncTables', (t) =>
  t.connection(
    {
      description: 'Every synchronization table, built in or custom, assigned or not, by name. Unassigned tables keep their outstanding objects listed here.',
      type: SyncTable,
      authScopes: { viewer: true },
      resolve: async (_root, args, context) => {
        const page = parsePageArgs(args, 2);
        const rows = await listSyncTables(context.db, page);
        return toConnection(rows, page, (row) => [row.name, row.id], () => countSyncTables(context.db));
      },
    },
    SyncTableConnection,
  ),
);
