/**
 * Changing the set-up of synchronization tables: custom tables, their run settings, their
 * assignment to target system types and whether they may publish.
 */
import { z } from 'zod';
import { builder } from './builder.ts';
import { changeContext } from './change-context.ts';
import { UserError, toPayload } from './errors.ts';
import { MissingAction } from './sync-table-settings.ts';
import { SyncTable, SyncTableKind } from './sync-tables.ts';
import { TargetSystemType } from './target-system-types.ts';
import { assignSyncTables, configureTablesForPublishing, unassignSyncTables } from '../domain/sync-table-assignments.ts';
import { createSyncTable, updateSyncTable } from '../domain/sync-tables.ts';

const SyncTableGuardInput = builder.inputType('SyncTableGuardInput', {
  description: 'Guard limits of a table; an omitted field keeps its value (500, 30 % and 20 for a new table).',
  fields: (t) => ({
    maxCount: t.int({ required: false, description: 'Most objects one run may mark or delete in the table.' }),
    maxPercent: t.int({ required: false, description: 'Largest share of the table, 0 to 100 percent, one run may mark or delete.' }),
    minTableSize: t.int({ required: false, description: 'Objects the table must hold before the percentage limit applies.' }),
  }),
});

const SyncTablePayload = builder.simpleObject('SyncTablePayload', {
  description: 'Result of `createSyncTable` and `updateSyncTable`.',
  fields: (t) => ({
    syncTable: t.field({ type: SyncTable, nullable: true, description: 'The table as stored, unless `errors` is non-empty.' }),
    errors: t.field({ type: [UserError], description: 'Why nothing was changed; empty on success.' }),
  }),
});

const SyncTableAssignmentPayload = builder.simpleObject('SyncTableAssignmentPayload', {
  description: 'Result of `assignSyncTables`, `unassignSyncTables` and `configureTablesForPublishing`.',
  fields: (t) => ({
    targetSystemType: t.field({ type: TargetSystemType, nullable: true, description: 'The target system type, unless `errors` is non-empty.' }),
    syncTables: t.field({ type: [SyncTable], nullable: true, description: 'The tables the request named, as stored now.' }),
    errors: t.field({ type: [UserError], description: 'Why nothing was changed; empty on success.' }),
  }),
});

builder.mutationField('createSyncTable', (t) =>
  t.field({
    description: 'Defines a custom synchronization table. It takes part in runs once assigned to a target system type with `assignSyncTables`.',
    type: SyncTablePayload,
    authScopes: { globalAdmin: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreateSyncTableInput', {
          description: 'A custom table to define.',
          fields: (f) => ({
            name: f.string({ description: 'Technical name and snapshot file name: 2 to 64 letters, digits and underscores, starting with a letter; unique regardless of case.' }),
            displayName: f.string({ description: 'Name shown to people, 1 to 200 characters.', validate: z.string().max(200) }),
            kind: f.field({ type: SyncTableKind, description: 'Object table or assignment table (member list).' }),
            containerTable: f.globalID({ for: SyncTable, required: false, description: 'Assignment tables: the object table whose objects hold the member lists. Required for them.' }),
            memberTable: f.globalID({ for: SyncTable, required: false, description: 'Assignment tables: the object table of the members; omit to allow members of any table.' }),
            missingAction: f.field({ type: MissingAction, required: false, description: 'What a run does with missing objects; MARK_OUTSTANDING when omitted.' }),
            guard: f.field({ type: SyncTableGuardInput, required: false, description: 'Guard limits; the defaults when omitted.' }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, context) =>
      toPayload(async () => {
        const syncTable = await createSyncTable(
          context.db,
          { ...input, containerTableId: input.containerTable?.id, memberTableId: input.memberTable?.id },
          changeContext(context, 'sync-tables'),
        );
        return { syncTable };
      }),
  }),
);

builder.mutationField('updateSyncTable', (t) =>
  t.field({
    description: "Changes a table's display name, missing action or guard limits. Send the `version` you read; a newer one is rejected with CONFLICT.",
    type: SyncTablePayload,
    authScopes: { globalAdmin: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('UpdateSyncTableInput', {
          description: 'Changes to a table; omitted fields keep their values.',
          fields: (f) => ({
            id: f.globalID({ for: SyncTable, description: 'The table to change.' }),
            version: f.int({ description: 'The `version` of the table the change is based on.' }),
            displayName: f.string({ required: false, description: 'New display name.', validate: z.string().max(200) }),
            missingAction: f.field({ type: MissingAction, required: false, description: 'New missing action.' }),
            guard: f.field({ type: SyncTableGuardInput, required: false, description: 'Guard limits to change.' }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, context) =>
      toPayload(async () => ({ syncTable: await updateSyncTable(context.db, { ...input, id: input.id.id }, changeContext(context, 'sync-tables')) })),
  }),
);

const AssignSyncTablesInput = builder.inputType('AssignSyncTablesInput', {
  description: 'Tables to assign to a target system type.',
  fields: (f) => ({
    targetSystemType: f.globalID({ for: TargetSystemType, description: 'The target system type.' }),
    syncTables: f.globalIDList({ for: SyncTable, description: 'The tables, 1 to 500.', validate: z.array(z.unknown()).max(500) }),
  }),
});

const UnassignSyncTablesInput = builder.inputType('UnassignSyncTablesInput', {
  description: 'Tables to remove from a target system type.',
  fields: (f) => ({
    targetSystemType: f.globalID({ for: TargetSystemType, description: 'The target system type.' }),
    syncTables: f.globalIDList({ for: SyncTable, description: 'The tables, 1 to 500.', validate: z.array(z.unknown()).max(500) }),
    force: f.boolean({
      required: false,
      description: 'Unassign tables that still hold outstanding objects; the objects keep their marks and stay listed under their table.',
    }),
  }),
});

builder.mutationField('assignSyncTables', (t) =>
  t.field({
    description: 'Assigns tables to a target system type, so they take part in its synchronization runs and show outstanding objects under it.',
    type: SyncTableAssignmentPayload,
    authScopes: { globalAdmin: true },
    args: { input: t.arg({ required: true, type: AssignSyncTablesInput }) },
    resolve: (_root, { input }, context) =>
      toPayload(() =>
        assignSyncTables(
          context.db,
          { targetSystemTypeId: input.targetSystemType.id, syncTableIds: input.syncTables.map((id) => id.id) },
          changeContext(context, 'sync-tables'),
        ),
      ),
  }),
);

builder.mutationField('unassignSyncTables', (t) =>
  t.field({
    description: 'Removes tables from a target system type. Rejected, naming the count, while a table contains outstanding objects, unless `force` is true.',
    type: SyncTableAssignmentPayload,
    authScopes: { globalAdmin: true },
    args: { input: t.arg({ required: true, type: UnassignSyncTablesInput }) },
    resolve: (_root, { input }, context) =>
      toPayload(() =>
        unassignSyncTables(
          context.db,
          { targetSystemTypeId: input.targetSystemType.id, syncTableIds: input.syncTables.map((id) => id.id), force: input.force },
          changeContext(context, 'sync-tables'),
        ),
      ),
  }),
);

const PublishingSettingInput = builder.inputType('PublishingSettingInput', {
  description: 'Whether one table may publish.',
  fields: (f) => ({
    syncTable: f.globalID({ for: SyncTable, description: 'The table; it must be assigned to the target system type.' }),
    publishingEnabled: f.boolean({ description: 'True lets its outstanding objects be published; false makes PUBLISH a constraint (TABLE_NOT_PUBLISHABLE).' }),
  }),
});

builder.mutationField('configureTablesForPublishing', (t) =>
  t.field({
    description: 'Sets or clears "publishable" for tables of a target system type.',
    type: SyncTableAssignmentPayload,
    authScopes: { globalAdmin: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('ConfigureTablesForPublishingInput', {
          description: 'Publishing settings of one target system type.',
          fields: (f) => ({
            targetSystemType: f.globalID({ for: TargetSystemType, description: 'The target system type.' }),
            settings: f.field({ type: [PublishingSettingInput], description: 'One entry per table to change.', validate: z.array(z.unknown()).min(1).max(500) }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, context) =>
      toPayload(() =>
        configureTablesForPublishing(
          context.db,
          {
            targetSystemTypeId: input.targetSystemType.id,
            settings: input.settings.map((setting) => ({ syncTableId: setting.syncTable.id, publishingEnabled: setting.publishingEnabled })),
          },
          changeContext(context, 'sync-tables'),
        ),
      ),
  }),
);
