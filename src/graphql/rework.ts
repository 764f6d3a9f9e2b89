/**
 * The `reworkOutstandingObjects` mutation and its typed errors: a rework of outstanding objects,
 * previewed with `dryRun` or accepted as a bulk operation that runs as a durable job.
 */
import { builder } from './builder.ts';
import { BulkOperation, Processing } from './bulk-operations.ts';
import { UserError, registerUserErrorType, toPayload } from './errors.ts';
import { parseObjectIds } from './global-ids.ts';
import { ConstraintReason, ReworkMethod } from './method-constraints.ts';
import { objectLoader } from './object-loaders.ts';
import { OutstandingObjectFilter, parseOutstandingFilter } from './outstanding-objects.ts';
import { ReworkPreview } from './rework-preview.ts';
import { TargetSystemObject } from './target-system-objects.ts';
import type { BusyObject } from '../domain/bulk-operations/errors.ts';
import type { DomainError } from '../domain/errors.ts';
import type { BlockedObject } from '../domain/rework/errors.ts';
import { submitRework } from '../domain/rework/submit.ts';

const ConstraintBlockedObject = builder.objectRef<BlockedObject>('ConstraintBlockedObject').implement({
  description: 'A selected object for which the method is disabled, with every reason.',
  fields: (t) => ({
    object: t.field({
      type: TargetSystemObject,
      nullable: true,
      description: 'The object; null only if it was deleted since.',
      resolve: (blocked, _args, context) => objectLoader(context).load(blocked.objectId),
    }),
    displayName: t.exposeString('displayName', { description: 'Display name of the object.' }),
    reasons: t.field({ type: [ConstraintReason], description: 'Every reason why the method is disabled for it.', resolve: (blocked) => blocked.reasons }),
  }),
});

builder.objectRef<DomainError>('ConstraintViolationError').implement({
  description: 'The method is disabled for some selected objects, so nothing was changed. `blockedObjects` lists every one of them with its reasons.',
  interfaces: [UserError],
  isTypeOf: (value) => (value as DomainError).code === 'CONSTRAINT_VIOLATION',
  fields: (t) => ({
    blockedObjects: t.field({
      type: [ConstraintBlockedObject],
      description: 'Every selected object the method cannot run for.',
      resolve: (error) => (error.details.blockedObjects as BlockedObject[] | undefined) ?? [],
    }),
  }),
});
registerUserErrorType('CONSTRAINT_VIOLATION', 'ConstraintViolationError');

const BusyObjectType = builder.objectRef<BusyObject>('BusyObject').implement({
  description: 'A selected object that another unfinished bulk operation has claimed.',
  fields: (t) => ({
    object: t.field({
      type: TargetSystemObject,
      nullable: true,
      description: 'The object; null if it was deleted since.',
      resolve: (busy, _args, context) => objectLoader(context).load(busy.objectId),
    }),
    displayName: t.string({ nullable: true, description: 'Display name of the object.', resolve: (busy) => busy.displayName }),
    bulkOperation: t.field({ type: BulkOperation, nullable: true, description: 'The operation that has claimed it.', resolve: (busy) => busy.bulkOperationId }),
  }),
});

builder.objectRef<DomainError>('ObjectsBusyError').implement({
  description: 'Some selected objects are in another bulk operation that has not finished; an object is in at most one at a time. Nothing was accepted.',
  interfaces: [UserError],
  isTypeOf: (value) => (value as DomainError).code === 'OBJECTS_BUSY',
  fields: (t) => ({
    busyObjects: t.field({
      type: [BusyObjectType],
      description: 'Every selected object that another operation has claimed, with that operation.',
      resolve: (error) => (error.details.busyObjects as BusyObject[] | undefined) ?? [],
    }),
  }),
});
registerUserErrorType('OBJECTS_BUSY', 'ObjectsBusyError');

const ReworkOutstandingObjectsInput = builder.inputType('ReworkOutstandingObjectsInput', {
  description: 'What to rework and how. Select the objects with `objectIds` or with `filter`, not both.',
  fields: (t) => ({
    method: t.field({ type: ReworkMethod, description: 'DELETE, PUBLISH or RESET.' }),
    objectIds: t.idList({ required: false, description: 'The outstanding objects to rework (IDs of mail users, mail contacts, groups, memberships or custom objects).' }),
    filter: t.field({
      type: OutstandingObjectFilter,
      required: false,
      description: 'Rework every outstanding object the filter matches now; objects marked later are not included.',
    }),
    processing: t.field({ type: Processing, required: false, defaultValue: 'BULK', description: 'BULK (all or nothing, the default) or SEQUENTIAL (one by one).' }),
    continueOnError: t.boolean({
      required: false,
      defaultValue: false,
      description: 'Go on after a failure to report every failure. SEQUENTIAL saves the objects that succeed; BULK still rolls back all.',
    }),
    dryRun: t.boolean({ required: false, defaultValue: false, description: 'Only return the preview; change nothing.' }),
  }),
});

const ReworkOutstandingObjectsPayload = builder.simpleObject('ReworkOutstandingObjectsPayload', {
  description: 'Result of `reworkOutstandingObjects`.',
  fields: (t) => ({
    bulkOperation: t.field({
      type: BulkOperation,
      nullable: true,
      description: 'The accepted operation, QUEUED or RUNNING; follow it with `bulkOperationProgress`. Null for a dry run or when `errors` is non-empty.',
    }),
    preview: t.field({ type: ReworkPreview, nullable: true, description: 'What the rework would do; set for a dry run only.' }),
    errors: t.field({ type: [UserError], description: 'Why the rework was rejected before any change; empty on success.' }),
  }),
});

builder.mutationField('reworkOutstandingObjects', (t) =>
  t.field({
    description:
      'Deletes, publishes or resets outstanding objects. The selection is checked before any change; if the method is disabled for any object, nothing runs and the error lists every such object. Otherwise the work runs as a bulk operation, returned at once.',
    type: ReworkOutstandingObjectsPayload,
    args: { input: t.arg({ type: ReworkOutstandingObjectsInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const selected = input.objectIds ? parseObjectIds(input.objectIds, 'input.objectIds') : null;
      const filter = input.filter ? parseOutstandingFilter(input.filter, context, 'input.filter') : null;
      return toPayload(() =>
        submitRework(context.services, context.actor, {
          method: input.method,
          objectIds: selected?.ids ?? null,
          idLabel: selected?.idLabel,
          expectedKind: selected?.expectedKind,
          filter,
          processing: input.processing ?? 'BULK',
          continueOnError: input.continueOnError ?? false,
          dryRun: input.dryRun ?? false,
        }),
      );
    },
  }),
);
