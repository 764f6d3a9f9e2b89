/**
 * The audit trail: the AuditEvent node and the `auditEvents` list, newest first, filterable by
 * actor, action, outcome, subject and time.
 */
import { builder } from './builder.ts';
import { BulkOperation } from './bulk-operations.ts';
import { decodeId, OBJECT_TYPE_NAMES } from './global-ids.ts';
import { integerNodeId } from './node-ids.ts';
import { objectLoader } from './object-loaders.ts';
import { parsePageArgs, toConnection } from './pagination.ts';
import { TargetSystemObject } from './target-system-objects.ts';
import { Tenant } from './tenants.ts';
import { countAuditEvents, listAuditEvents, loadAuditEvents, type AuditEventFilter as DomainFilter, type AuditEventRow } from '../domain/audit-events.ts';
import { inTenantScope, tenantScope } from '../domain/tenant-scope.ts';

const AuditOutcome = builder.enumType('AuditOutcome', {
  description: 'How an audited action ended.',
  values: {
    SUCCEEDED: { description: 'The change was made.' },
    FAILED: { description: 'The change was attempted and failed, e.g. an object of a rolled-back bulk operation.' },
    REJECTED: { description: 'A rule rejected the request before any change.' },
  } as const,
});

export const AuditEvent = builder.loadableNodeRef<AuditEventRow, number, number>('AuditEvent', {
  id: integerNodeId,
  load: async (ids, context) => {
    const rows = await loadAuditEvents(context.db, ids);
    const scope = tenantScope(context.actor);
    const byId = new Map(rows.filter((row) => inTenantScope(scope, row.tenantId)).map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? new Error(`AuditEvent ${id} not found.`));
  },
});

builder.objectType(AuditEvent, {
  description: 'One audited action: who did what to which subject, when, and how it ended.',
  fields: (t) => ({
    actor: t.exposeString('actor', { description: 'Who acted: a user name, `token:<name>` or an operating-system user (`os:<name>`).' }),
    actorRole: t.exposeString('actorRole', { nullable: true, description: 'The role the actor had: viewer, operator or admin.' }),
    action: t.exposeString('action', {
      description: 'What was done, e.g. `rework.delete`, `rework.publish`, `rework.reset`, `bulkOperation.submit`, `provisioning.publish` or `tenant.update`.',
    }),
    outcome: t.field({ type: AuditOutcome, description: 'How it ended.', resolve: (row) => row.outcome as 'SUCCEEDED' }),
    subjectType: t.exposeString('subjectType', { nullable: true, description: 'The kind of subject, e.g. `TargetSystemObject`, `BulkOperation` or `Tenant`.' }),
    subjectId: t.exposeString('subjectId', { nullable: true, description: 'The database id of the subject; it stays after the subject is deleted.' }),
    object: t.field({
      type: TargetSystemObject,
      nullable: true,
      description: 'The synchronized object the action concerned, while it exists.',
      resolve: (row, _args, context) => (row.subjectType === 'TargetSystemObject' && row.subjectId ? objectLoader(context).load(Number(row.subjectId)) : null),
    }),
    bulkOperation: t.field({
      type: BulkOperation,
      nullable: true,
      description: 'The bulk operation the action belongs to: its subject, or the operation that changed the object.',
      resolve: (row) => {
        if (row.subjectType === 'BulkOperation' && row.subjectId) return Number(row.subjectId);
        const fromDetails = Number(row.details.bulkOperationId);
        return Number.isSafeInteger(fromDetails) && fromDetails > 0 ? fromDetails : null;
      },
    }),
    tenant: t.field({ type: Tenant, nullable: true, description: 'The tenant concerned, when there is exactly one.', resolve: (row) => row.tenantId }),
    details: t.expose('details', { type: 'JSON', description: 'What the action changed or why it was rejected; the keys depend on the action.' }),
    createdAt: t.field({ type: 'DateTime', description: 'When it happened.', resolve: (row) => row.createdAt }),
  }),
});

const AuditEventConnection = builder.connectionObject(
  { type: AuditEvent, name: 'AuditEventConnection', description: 'A page of the audit trail.' },
  { name: 'AuditEventEdge', description: 'An audited action and its cursor.' },
);

const AuditEventFilter = builder.inputType('AuditEventFilter', {
  description: 'Narrows the audit trail. Every field narrows it; an absent field does not.',
  fields: (t) => ({
    actor: t.string({ required: false, description: 'Only actions of this actor, exactly as `actor` shows it.' }),
    action: t.stringList({ required: false, description: 'Only these actions, e.g. `["rework.delete"]`.' }),
    outcome: t.field({ type: [AuditOutcome], required: false, description: 'Only actions that ended like this.' }),
    object: t.id({ required: false, description: 'Only actions on this subject: the ID of an object, a bulk operation, a tenant or another node.' }),
    from: t.field({ type: 'DateTime', required: false, description: 'Only actions at or after this time.' }),
    to: t.field({ type: 'DateTime', required: false, description: 'Only actions before this time.' }),
  }),
});

builder.queryField('auditEvents', (t) =>
  t.connection({
    description: 'The audit trail, newest first. A token limited to tenants sees only the actions on its tenants.',
    type: AuditEvent,
    args: { filter: t.arg({ type: AuditEventFilter, required: false, description: 'Which actions to list.' }) },
    resolve: async (_root, args, context) => {
      const page = parsePageArgs(args, 1);
      const subject = args.filter?.object ? decodeId(String(args.filter.object), 'filter.object') : null;
      const filter: DomainFilter = {
        actor: args.filter?.actor ?? null,
        actions: args.filter?.action ?? null,
        outcomes: args.filter?.outcome ?? null,
        subject: subject && {
          type: (OBJECT_TYPE_NAMES as readonly string[]).includes(subject.typename) ? 'TargetSystemObject' : subject.typename,
          id: subject.id,
        },
        from: args.filter?.from ?? null,
        to: args.filter?.to ?? null,
        visibleTenantIds: context.actor.tenantIds,
      };
      const rows = await listAuditEvents(context.db, filter, page);
      return toConnection(rows, page, (row) => [row.id], () => countAuditEvents(context.db, filter));
    },
  }, AuditEventConnection),
);
