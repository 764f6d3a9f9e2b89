/**
 * The REWORK kind of bulk operation: DELETE, PUBLISH or RESET of outstanding objects. Importing
 * this module registers it with the engine.
 */
import { registerBulkOperationKind, type BulkOperationKind } from '../bulk-operations/kinds.ts';
import { checkReworkRange } from './check.ts';
import { deleteRange } from './delete.ts';
import { unmarkRange } from './unmark.ts';

export const REWORK_KIND = 'REWORK';

export const reworkKind: BulkOperationKind = {
  kind: REWORK_KIND,
  check: checkReworkRange,
  apply: async (tx, context, range, skip) => {
    const method = context.operation.method;
    if (method === 'DELETE') await deleteRange(tx, context, range, skip);
    else if (method === 'PUBLISH' || method === 'RESET') await unmarkRange(tx, context, range, skip, method);
    else throw new Error(`Unknown rework method ${method} in bulk operation ${context.operation.id}.`);
  },
  // Provisioning jobs queued by a publish become visible at the commit; wake the worker for them.
  afterCommit: (services, operation) => {
    if (operation.method === 'PUBLISH') services.notifyJobs();
  },
  marksItems: true,
  auditAction: (operation) => `rework.${operation.method.toLowerCase()}`,
  chunkSize: 5000,
  // The checks reach every object through an index, so one call covers a large selection.
  checkBatchSize: 50_000,
};

registerBulkOperationKind(reworkKind);
