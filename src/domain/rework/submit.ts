/**
 * A rework request: resolve the selection, check it before anything changes, and either return
 * the preview (dry run) or accept it as a bulk operation that a job runs. Rejections are audited.
 */
import { sql } from 'drizzle-orm';
import type { Actor } from '../actor.ts';
import { recordAudit } from '../audit.ts';
import { acceptBulkOperation } from '../bulk-operations/accept.ts';
import { announceAccepted } from '../bulk-operations/progress.ts';
import type { EngineServices } from '../bulk-operations/services.ts';
import type { BulkOperationRow, Processing } from '../bulk-operations/types.ts';
import type { ReworkMethod } from '../constraints.ts';
import { DomainError } from '../errors.ts';
import type { OutstandingObjectFilter } from '../outstanding-filter.ts';
import { previewRework, type ReworkPreview } from '../rework-preview.ts';
import { confirmBlocked, suspects } from './blocked.ts';
import { directAssignmentRows } from './dependents.ts';
import { ConstraintViolationError } from './errors.ts';
import { REWORK_KIND } from './kind.ts';
import { resolveSelection } from './selection.ts';

export interface ReworkRequest {
  method: ReworkMethod;
  objectIds?: readonly number[] | null;
  filter?: OutstandingObjectFilter | null;
  processing: Processing;
  continueOnError: boolean;
  dryRun: boolean;
}

export type ReworkResult = { bulkOperation: BulkOperationRow; preview?: undefined } | { preview: ReworkPreview; bulkOperation?: undefined };

export async function submitRework(services: EngineServices, actor: Actor, request: ReworkRequest): Promise<ReworkResult> {
  const log = services.logger.child({ module: 'rework' });
  try {
    const { objectIds, tenantIds } = await resolveSelection(
      services.db,
      actor,
      { method: request.method, objectIds: request.objectIds, filter: request.filter, allowNotOutstanding: request.dryRun },
      services.config.MAX_SELECTION_SIZE,
    );
    if (request.dryRun) return { preview: await previewRework(services.db, request.method, objectIds) };

    const bulkOperation = await acceptBulkOperation(services.db, {
      kind: REWORK_KIND,
      method: request.method,
      processing: request.processing,
      continueOnError: request.continueOnError,
      actor,
      parameters: request.filter ? { selectedBy: 'filter' } : { selectedBy: 'objectIds' },
      objectIds,
      tenantIds,
      // Before any change: the method must be allowed for every object, judged with the selection.
      validate: async (tx, operation) => {
        const stored = sql`objects.id in (select object_id from bulk_operation_items where bulk_operation_id = ${operation.id})`;
        const blocked = await confirmBlocked(tx, request.method, await suspects(tx, request.method, stored), new Set(objectIds));
        if (blocked.length > 0) throw new ConstraintViolationError(request.method, blocked);
      },
      dependents: request.method === 'DELETE' ? directAssignmentRows : undefined,
    });
    announceAccepted(services, bulkOperation);
    services.notifyJobs();
    log.info(
      { bulkOperationId: bulkOperation.id, method: request.method, processing: request.processing, total: objectIds.length, actor: actor.name },
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
