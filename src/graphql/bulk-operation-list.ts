/**
 * The `bulkOperations` list and the `cancelBulkOperation` mutation.
 */
import { builder } from './builder.ts';
import { BulkOperation, BulkOperationConnection, BulkOperationKind } from './bulk-operations.ts';
import { UserError, toPayload } from './errors.ts';
import { parseId } from './global-ids.ts';
import { OperationStatus } from './operation-status.ts';
import { parsePageArgs, toConnection } from './pagination.ts';
import { cancelBulkOperation } from '../domain/bulk-operations/cancel.ts';
import { tenantScope } from '../domain/tenant-scope.ts';
import { countBulkOperations, listBulkOperations, type BulkOperationFilter as DomainFilter } from '../domain/bulk-operations/queries.ts';

const BulkOperationFilter = builder.inputType('BulkOperationFilter', {
  description: 'Narrows the list of bulk operations. Every field narrows it; an absent field does not.',
  fields: (t) => ({
    status: t.field({ type: [OperationStatus], required: false, description: 'Only operations with one of these statuses.' }),
    method: t.stringList({ required: false, description: 'Only operations with one of these methods, e.g. `["DELETE", "PUBLISH"]`.' }),
    kind: t.field({ type: [BulkOperationKind], required: false, description: 'Only operations of these kinds.' }),
  }),
});

builder.queryField('bulkOperations', (t) =>
  t.connection({
    description: 'Bulk operations, newest first. A token limited to tenants sees only operations on its tenants.',
    type: BulkOperation,
    args: { filter: t.arg({ type: BulkOperationFilter, required: false, description: 'Which operations to list.' }) },
    resolve: async (_root, args, context) => {
      const page = parsePageArgs(args, 1);
      const filter: DomainFilter = {
        statuses: args.filter?.status ?? null,
        methods: args.filter?.method ?? null,
        kinds: args.filter?.kind ?? null,
        visibleToTenants: tenantScope(context.actor),
      };
      const rows = await listBulkOperations(context.db, filter, page);
      return toConnection(rows, page, (row) => [row.id], () => countBulkOperations(context.db, filter));
    },
  }, BulkOperationConnection),
);

const CancelBulkOperationInput = builder.inputType('CancelBulkOperationInput', {
  description: 'The operation to cancel.',
  fields: (t) => ({
    id: t.id({ description: 'ID of a queued or running bulk operation.' }),
  }),
});

const CancelBulkOperationPayload = builder.simpleObject('CancelBulkOperationPayload', {
  description: 'Result of `cancelBulkOperation`.',
  fields: (t) => ({
    bulkOperation: t.field({
      type: BulkOperation,
      nullable: true,
      description: 'The operation: CANCELED, or still RUNNING with `cancelRequested` until it reaches its next object; null when `errors` is non-empty.',
    }),
    errors: t.field({ type: [UserError], description: 'Why it could not be canceled (not found, already finished); empty on success.' }),
  }),
});

builder.mutationField('cancelBulkOperation', (t) =>
  t.field({
    description:
      'Stops a queued or running bulk operation. A BULK operation rolls back every change; a SEQUENTIAL one keeps the objects it saved. Its status becomes CANCELED.',
    type: CancelBulkOperationPayload,
    args: { input: t.arg({ type: CancelBulkOperationInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const id = parseId(String(input.id), ['BulkOperation'], 'input.id');
      return toPayload(async () => ({ bulkOperation: await cancelBulkOperation(context.services, context.actor, id, () => String(input.id)) }));
    },
  }),
);
