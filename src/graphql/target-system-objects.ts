/**
 * The TargetSystemObject interface: what every synchronized object shows, whatever its table.
 * Each object kind has its own node type (object-types.ts), so a global ID names the kind.
 */
import { builder } from './builder.ts';
import { notFound } from './global-ids.ts';
import { MethodConstraint } from './method-constraints.ts';
import { constraintsLoader, objectLoader, TYPE_NAME_BY_KIND } from './object-loaders.ts';
import { stringProperty } from './object-properties.ts';
import { SyncTable } from './sync-tables.ts';
import { TargetSystem } from './target-systems.ts';
import { TargetSystemType } from './target-system-types.ts';
import { Tenant } from './tenants.ts';
import { noLogReasonOf, type NO_LOG_REASONS } from '../domain/log-information.ts';
import type { ObjectKind, ObjectRow } from '../domain/object-reads.ts';
import { integerNodeId } from './node-ids.ts';

export const NoLogReason = builder.enumType('NoLogReason', {
  description: 'Why an outstanding object has no log entry. Derived from stored facts; never guessed.',
  values: {
    LOG_DELETED: { description: 'Log retention deleted its entries (LOG_RETENTION_DAYS).' },
    REMOVED_FROM_MEMBER_LIST: { description: 'The membership was removed from its group in the target system; memberships have no log of their own.' },
    CONTAINER_DELETED: { description: 'The group of the membership was deleted in the target system; memberships have no log of their own.' },
  } satisfies Record<(typeof NO_LOG_REASONS)[number], unknown>,
});

export const OutstandingCause = builder.enumType('OutstandingCause', {
  description: 'What a synchronization run found when it marked the object outstanding.',
  values: {
    MISSING: { description: 'The object was missing from the snapshot of its table.' },
    REMOVED_FROM_MEMBER_LIST: { description: 'The membership was missing from its group\'s member list.' },
    CONTAINER_DELETED: { description: 'The group of the membership was missing from the snapshot.' },
  } as const,
});

export const ProvisioningStatus = builder.enumType('ProvisioningStatus', {
  description: 'Outcome of the newest publishing of an object to the target system.',
  values: {
    PENDING: { description: 'Queued or retrying; a synchronization run does not mark the object meanwhile.' },
    SUCCEEDED: { description: 'The object was created in the target system.' },
    FAILED: { description: 'Every attempt failed; `message` says why. The next run that misses the object marks it again.' },
  } as const,
});

const OutstandingInfo = builder.objectRef<ObjectRow>('OutstandingInfo').implement({
  description: 'Why and since when an object is outstanding, its log information and which rework methods can run.',
  fields: (t) => ({
    markedAt: t.field({ type: 'DateTime', description: 'When a synchronization run marked the object outstanding.', resolve: (row) => row.outstandingSince! }),
    cause: t.field({
      type: OutstandingCause,
      nullable: true,
      description: 'What the run found; null for objects marked before causes were recorded.',
      resolve: (row) => (row.outstandingCause as 'MISSING' | 'REMOVED_FROM_MEMBER_LIST' | 'CONTAINER_DELETED' | null) ?? null,
    }),
    lastLogEntry: t.field({ type: 'DateTime', nullable: true, description: 'Time of the newest log entry; null when there is none.', resolve: (row) => row.lastLogAt }),
    lastMethodRun: t.string({
      nullable: true,
      description: 'Method of the newest log entry: INSERT, UPDATE, MARK_OUTSTANDING, DELETE, PUBLISH or RESET; null when there is none.',
      resolve: (row) => row.lastLogMethod,
    }),
    noLogReason: t.field({
      type: NoLogReason,
      nullable: true,
      description: 'Why there is no log entry; null when there is one, or when no stored fact explains its absence.',
      resolve: (row) => noLogReasonOf(row),
    }),
    constraints: t.field({
      type: [MethodConstraint],
      description: 'One entry per rework method (DELETE, PUBLISH, RESET): whether it can run for this object alone, and why not.',
      resolve: (row, _args, context) => constraintsLoader(context).load(row.id),
    }),
  }),
});

const Provisioning = builder.objectRef<ObjectRow>('Provisioning').implement({
  description: 'The newest publishing of the object to the target system.',
  fields: (t) => ({
    status: t.field({ type: ProvisioningStatus, description: 'State of the newest publishing.', resolve: (row) => row.provisioningStatus as 'PENDING' }),
    message: t.string({ nullable: true, description: 'Why it failed, or what the connector reported.', resolve: (row) => row.provisioningMessage }),
    updatedAt: t.field({ type: 'DateTime', nullable: true, description: 'When the status last changed.', resolve: (row) => row.provisioningUpdatedAt }),
  }),
});

export const TargetSystemObject = builder.interfaceRef<ObjectRow>('TargetSystemObject').implement({
  description: 'An object of a synchronization table: a recipient of an object table or a row of an assignment table (a membership).',
  interfaces: [builder.nodeInterfaceRef()],
  resolveType: (row) => TYPE_NAME_BY_KIND[row.objectKind],
  fields: (t) => ({
    table: t.field({ type: SyncTable, description: 'The synchronization table the object belongs to.', resolve: (row) => row.syncTableId }),
    tenant: t.field({ type: Tenant, description: 'The tenant whose target system contains the object.', resolve: (row) => row.tenantId }),
    targetSystem: t.field({ type: TargetSystem, description: 'The target system that contains the object.', resolve: (row) => row.targetSystemId }),
    targetSystemType: t.field({
      type: TargetSystemType,
      description: 'The type of the target system that contains the object.',
      resolve: (row) => row.targetSystemTypeId,
    }),
    key: t.exposeString('key', {
      description: 'Stable key in the target system: the Guid, or `<group Guid>:<member Guid>` for a membership.',
    }),
    displayName: t.exposeString('displayName', { description: 'Name shown to people: DisplayName, else Name, else Alias, else the key.' }),
    guid: t.string({ nullable: true, description: 'The `Guid` property.', resolve: (row) => stringProperty(row, 'Guid') }),
    properties: t.field({
      type: 'JSON',
      description: 'Every property as synchronized, by the cmdlet\'s property name. Dates are ISO-8601 strings, multi-valued properties arrays.',
      resolve: (row) => row.properties,
    }),
    outstanding: t.field({
      type: OutstandingInfo,
      nullable: true,
      description: 'Set while the object is outstanding (missing from the target system); null otherwise.',
      resolve: (row) => (row.outstandingSince === null ? null : row),
    }),
    provisioning: t.field({
      type: Provisioning,
      nullable: true,
      description: 'The newest publishing of the object; null when it was never published.',
      resolve: (row) => (row.provisioningStatus === null ? null : row),
    }),
    createdAt: t.field({ type: 'DateTime', description: 'When the object was first synchronized.', resolve: (row) => row.createdAt }),
    updatedAt: t.field({ type: 'DateTime', description: 'When the object last changed in the database.', resolve: (row) => row.updatedAt }),
  }),
});

export const TargetSystemObjectConnection = builder.connectionObject(
  { type: TargetSystemObject, name: 'TargetSystemObjectConnection', description: 'A page of synchronized objects.' },
  { name: 'TargetSystemObjectEdge', description: 'A synchronized object and its cursor.' },
);

/** Declares the node type of one object kind, loaded through the shared object loader. */
export function objectNodeRef(kind: ObjectKind) {
  const typename = TYPE_NAME_BY_KIND[kind];
  return builder.loadableNodeRef<ObjectRow, number, number>(typename, {
    id: integerNodeId,
    load: async (ids, context) => {
      const rows = await objectLoader(context).loadMany(ids);
      return rows.map((row, index) => (row && !(row instanceof Error) && row.objectKind === kind ? row : notFound(typename, ids[index]!)));
    },
  });
}
