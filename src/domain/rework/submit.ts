/**
 * A rework request: resolve the selection, check it before anything changes, and either return
 * the preview (dry run) or accept it as a bulk operation that a job runs. Rejections are audited.
 */
import type { Actor } from '../actor.ts';
import { recordAudit } from '../audit.ts';
import { acceptBulkOperation, type SelectionSource } from '../bulk-operations/accept.ts';
import { StoredSelection } from '../bulk-operations/items.ts';
import { announceAccepted } from '../bulk-operations/progress.ts';
import type { EngineServices } from '../bulk-operations/services.ts';
import type { BulkOperationRow, Processing } from '../bulk-operations/types.ts';
import type { ReworkMethod } from '../constraints.ts';
import { DomainError, type IdLabel } from '../errors.ts';
import type { ObjectKind } from '../object-reads.ts';
import type { OutstandingObjectFilter } from '../outstanding-filter.ts';
import { previewRework, type ReworkPreview } from '../rework-preview.ts';
import { confirmBlocked } from './blocked.ts';
import { directAssignmentRows } from './dependents.ts';
import { ConstraintViolationError } from './errors.ts';
import { REWORK_KIND } from './kind.ts';
import { assertFilterHasCriteria, resolveSelection, storeFilterSelection, type SelectionRequest } from './selection.ts';

export interface ReworkRequest {
  method: ReworkMethod;
  objectIds?: readonly number[] | null;
  filter?: OutstandingObjectFilter | null;
  processing: Processing;
  continueOnError: boolean;
  dryRun: boolean;
  /** Renders object ids in error messages; database ids by default. */
  idLabel?: IdLabel;
  /** The kind each selected id was given as; an object of another kind counts as not found. */
  expectedKind?: (id: number) => ObjectKind | undefined;
}

export type ReworkResult = { bulkOperation: BulkOperationRow; preview?: undefined } | { preview: ReworkPreview; bulkOperation?: undefined };

function selectionRequest(request: ReworkRequest): SelectionRequest {
  return { method: request.method, objectIds: request.objectIds, filter: request.filter, idLabel: request.idLabel, expectedKind: request.expectedKind };
}

export async function submitRework(services: EngineServices, actor: Actor, request: ReworkRequest): Promise<ReworkResult> {
  const log = services.logger.child({ module: 'rework' });
  try {
    if (request.dryRun) {
      const { objectIds } = await resolveSelection(services.db, actor, { ...selectionRequest(request), allowNotOutstanding: true }, services.config.MAX_SELECTION_SIZE);
      return { preview: await previewRework(services.db, request.method, objectIds) };
    }

    // The objects the constraint conditions flag while the selection is stored; usually none.
    let suspects: { id: number; displayName: string }[] = [];
    let selection: SelectionSource;
    if (request.filter && request.objectIds == null) {
      assertFilterHasCriteria(request.filter);
      selection = {
        store: async (tx, operationId) => {
          const stored = await storeFilterSelection(tx, actor, selectionRequest(request), services.config.MAX_SELECTION_SIZE, operationId);
          suspects = stored.suspects;
          return stored;
        },
      };
    } else {
      // Also rejects a request with both `objectIds` and `filter`.
      const resolved = await resolveSelection(services.db, actor, selectionRequest(request), services.config.MAX_SELECTION_SIZE);
      suspects = resolved.suspects ?? [];
      selection = resolved;
    }

    const bulkOperation = await acceptBulkOperation(services.db, {
      kind: REWORK_KIND,
      method: request.method,
      processing: request.processing,
      continueOnError: request.continueOnError,
      actor,
      parameters: request.filter ? { selectedBy: 'filter' } : { selectedBy: 'objectIds' },
      selection,
      // Before any change: the method must be allowed for every object, judged with the selection.
      validate: async (tx, operation) => {
        if (suspects.length === 0) return;
        const blocked = await confirmBlocked(tx, request.method, suspects, await new StoredSelection(operation.id).load(tx));
        if (blocked.length > 0) throw new ConstraintViolationError(request.method, blocked);
      },
      dependents: request.method === 'DELETE' ? directAssignmentRows : undefined,
    });
    announceAccepted(services, bulkOperation);
    services.notifyJobs();
    log.info(
      { bulkOperationId: bulkOperation.id, method: request.method, processing: request.processing, total: bulkOperation.total, actor: actor.name },
      'rework accepted',
    );
    return { bulkOperation };
  } catch (error) {
    if (error instanceof DomainError && !request.dryRun) {
      await recordAudit(services.db, actor, {
        action: `rework.${request.method.toLowerCase()}`,
        outcome: 'REJECTED',
        subjectType: 'BulkOperation',
        details: {
          code: error.code,
          reason: error.message.slice(0, 2000),
          processing: request.processing,
          selectedBy: request.filter ? 'filter' : 'objectIds',
          requested: request.objectIds?.length ?? null,
        },
      });
      log.info({ code: error.code, method: request.method, actor: actor.name }, 'rework rejected');
    }
    throw error;
  }
}
