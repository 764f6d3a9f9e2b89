/**
 * The REWORK kind of bulk operation: DELETE, PUBLISH or RESET of outstanding objects. Importing
 * this module registers it with the engine.
 */
import type { Transaction } from '../../db/client.ts';
import { registerBulkOperationKind, type BulkOperationKind, type ChunkContext } from '../bulk-operations/kinds.ts';
import type { ItemRange } from '../bulk-operations/types.ts';
import { checkReworkRange } from './check.ts';
import { deleteRange } from './delete.ts';
import { unmarkRange } from './unmark.ts';

export const REWORK_KIND = 'REWORK';

export const reworkKind: BulkOperationKind = {
  kind: REWORK_KIND,
  check: checkReworkRange,
  apply: async (tx, context, range, skip) => {
    await applyRange(tx, context, range, skip, false);
  },
  applyIfClean: async (tx, context, range) => (await applyRange(tx, context, range, new Set(), true)).suspects === 0,
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

function applyRange(tx: Transaction, context: ChunkContext, range: ItemRange, skip: ReadonlySet<number>, onlyIfClean: boolean): Promise<{ suspects: number }> {
  const method = context.operation.method;
  if (method === 'DELETE') return deleteRange(tx, context, range, skip, { onlyIfClean });
  if (method === 'PUBLISH' || method === 'RESET') return unmarkRange(tx, context, range, skip, method, { onlyIfClean });
  throw new Error(`Unknown rework method ${method} in bulk operation ${context.operation.id}.`);
}
