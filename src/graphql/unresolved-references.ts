/**
 * Unresolved references: member rows of a snapshot whose group or member the database does not
 * hold. They are kept, listed here, and resolve when a later run brings the missing object.
 */
import { builder } from './builder.ts';
import { parseId } from './global-ids.ts';
import { integerNodeId } from './node-ids.ts';
import { parsePageArgs, toConnection } from './pagination.ts';
import { SyncTable } from './sync-tables.ts';
import { SynchronizationRun } from './synchronization-runs.ts';
import { Tenant } from './tenants.ts';
import {
  countUnresolvedReferences,
  listUnresolvedReferences,
  loadUnresolvedReferences,
  type UnresolvedReferenceRow,
} from '../domain/unresolved-references.ts';
import { inTenantScope, tenantScope } from '../domain/tenant-scope.ts';

export const UnresolvedReference = builder.loadableNodeRef<UnresolvedReferenceRow, number, number>('UnresolvedReference', {
  id: integerNodeId,
  load: async (ids, context) => {
    const rows = await loadUnresolvedReferences(context.db, ids);
    const visible = rows.filter((row) => inTenantScope(tenantScope(context.actor), row.tenantId));
    const byId = new Map(visible.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? new Error(`UnresolvedReference ${id} not found; a later run may have resolved it.`));
  },
});

const stringProperty = (row: UnresolvedReferenceRow, name: string) => {
  const value = row.properties[name];
  return typeof value === 'string' ? value : null;
};

builder.objectType(UnresolvedReference, {
  description: 'A member row whose group or member was not found. The membership is kept here until a later run can resolve it.',
  fields: (t) => ({
    tenant: t.field({ type: Tenant, description: 'The tenant whose snapshot held the row.', resolve: (row) => row.tenantId }),
    table: t.field({ type: SyncTable, description: 'The assignment table of the row, e.g. DistributionGroupMember.', resolve: (row) => row.syncTableId }),
    groupKey: t.exposeString('containerKey', { description: 'Guid of the group (the GroupGuid column).' }),
    memberKey: t.exposeString('memberKey', { description: 'Guid of the member.' }),
    groupFound: t.boolean({
      description: 'True when the group is synchronized and only the member is missing (a mailbox, say, which is not synchronized).',
      resolve: (row) => row.containerId !== null,
    }),
    memberDisplayName: t.string({ nullable: true, description: "The member's DisplayName as the row gave it.", resolve: (row) => stringProperty(row, 'DisplayName') }),
    memberRecipientType: t.string({
      nullable: true,
      description: "The member's RecipientTypeDetails as the row gave it, e.g. UserMailbox.",
      resolve: (row) => stringProperty(row, 'RecipientTypeDetails'),
    }),
    properties: t.expose('properties', { type: 'JSON', description: 'Every property of the member row, by its cmdlet property name.' }),
    firstSeenRun: t.field({
      type: SynchronizationRun,
      nullable: true,
      description: 'The run that first found the row unresolved.',
      resolve: (row) => row.firstSeenRunId,
    }),
    lastSeenRun: t.field({
      type: SynchronizationRun,
      nullable: true,
      description: 'The newest run whose snapshot still held the row.',
      resolve: (row) => row.lastSeenRunId,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the row was first found unresolved.' }),
  }),
});

const UnresolvedReferenceConnection = builder.connectionObject(
  { type: UnresolvedReference, name: 'UnresolvedReferenceConnection', description: 'A page of unresolved references.' },
  { name: 'UnresolvedReferenceEdge', description: 'An unresolved reference and its cursor.' },
);

builder.queryField('unresolvedReferences', (t) =>
  t.connection({
    description: 'Member rows whose group or member was not found, oldest first.',
    type: UnresolvedReference,
    authScopes: { viewer: true },
    args: {
      tenant: t.arg.id({ required: false, description: 'Only references of this tenant (a Tenant ID).' }),
      group: t.arg.id({ required: false, description: 'Only references in the member list of this group (a DistributionGroup ID).' }),
    },
    resolve: async (_root, args, context) => {
      const filter = {
        tenantId: args.tenant != null ? parseId(String(args.tenant), ['Tenant'], 'tenant') : null,
        groupId: args.group != null ? parseId(String(args.group), ['DistributionGroup'], 'group') : null,
        visibleTenantIds: context.actor.tenantIds,
      };
      const page = parsePageArgs(args, 1);
      const rows = await listUnresolvedReferences(context.db, page, filter);
      return toConnection(rows, page, (row) => [row.id], () => countUnresolvedReferences(context.db, filter));
    },
  }, UnresolvedReferenceConnection),
);
