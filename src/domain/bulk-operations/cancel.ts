/**
 * Canceling a queued or running operation. A queued one ends CANCELED at once. A running one is
 * stopped at its next object or chunk: BULK rolls back everything, SEQUENTIAL keeps what it
 * saved. When this process runs it, its stop switch is flipped directly (on PGlite the flag in the
 * row could not be written before a BULK transaction ends); other instances read
 * `bulk_operations.cancel_requested`.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { bulkOperations } from '../../db/schema.ts';
import type { Actor } from '../actor.ts';
import { recordAudit } from '../audit.ts';
import { databaseIdLabel, DomainError, type IdLabel } from '../errors.ts';
import { actorOf } from './kinds.ts';
import { storeOutcome } from './outcome.ts';
import { LIVE_PROGRESS_KIND } from './progress.ts';
import { bulkOperationVisibleCondition, isBulkOperationVisible, loadBulkOperation } from './queries.ts';
import { requestStop, type EngineServices } from './services.ts';
import { isFinalBulkOperationStatus, type BulkOperationRow, type LiveBulkOperation } from './types.ts';
import { tenantScope } from '../tenant-scope.ts';

/** How long the cancel waits for a running operation in this process to reach its final state. */
const SETTLE_TIMEOUT_MS = 10_000;

export async function cancelBulkOperation(
  services: EngineServices,
  actor: Actor,
  operationId: number,
  idLabel: IdLabel = databaseIdLabel,
): Promise<BulkOperationRow> {
  const notFound = () =>
    new DomainError('NOT_FOUND', `Bulk operation ${idLabel(operationId)} not found. Pass an id from reworkOutstandingObjects or bulkOperations.`, ['input', 'id']);

  // Check visibility before stopping anything this process runs. The live progress is read first
  // because on PGlite a read of the row waits for a running BULK transaction to end.
  const live = services.liveProgress.get(LIVE_PROGRESS_KIND, operationId) as LiveBulkOperation | undefined;
  const known = live ?? (await loadBulkOperation(services.db, operationId));
  if (!known || !isBulkOperationVisible(known, actor)) throw notFound();

  const stoppedHere = requestStop(services, operationId, { reason: 'CANCEL', actor: actor.name });

  const [flagged] = await services.db
    .update(bulkOperations)
    .set({ cancelRequested: true, parameters: sql`${bulkOperations.parameters} || ${JSON.stringify({ canceledBy: actor.name })}::jsonb` })
    .where(and(eq(bulkOperations.id, operationId), inArray(bulkOperations.status, ['QUEUED', 'RUNNING']), bulkOperationVisibleCondition(tenantScope(actor))))
    .returning();

  if (!flagged) {
    const current = await loadBulkOperation(services.db, operationId);
    if (!current || !isBulkOperationVisible(current, actor)) throw notFound();
    // On PGlite the update above waited for the canceled BULK transaction, which has ended CANCELED by now.
    if (stoppedHere && current.status === 'CANCELED') return current;
    throw new DomainError(
      'ALREADY_FINISHED',
      `Bulk operation ${idLabel(operationId)} has already finished with status ${current.status}; only a queued or running operation can be canceled.`,
      ['input', 'id'],
      { status: current.status },
    );
  }

  await recordAudit(services.db, actor, {
    action: 'bulkOperation.cancel',
    outcome: 'SUCCEEDED',
    tenantId: flagged.tenantIds.length === 1 ? flagged.tenantIds[0] : null,
    subjectType: 'BulkOperation',
    subjectId: operationId,
    details: { status: flagged.status, processing: flagged.processing },
  });
  services.logger.child({ module: 'bulk-operations', bulkOperationId: operationId }).info({ actor: actor.name, status: flagged.status }, 'cancel requested');

  if (flagged.status === 'QUEUED') {
    const stored = await services.db.transaction((tx) =>
      storeOutcome(tx, flagged, actorOf(flagged), {
        status: 'CANCELED',
        statusReason: `Canceled by ${actor.name} before it started; nothing was changed.`,
        processed: 0,
        succeeded: 0,
        failed: 0,
        rolledBack: false,
      }),
    );
    services.liveProgress.delete(LIVE_PROGRESS_KIND, operationId);
    services.pubsub.publish('bulkOperation:progress', operationId, { id: operationId });
    // The job may have started in between; then it stops at its next object instead.
    if (stored) return stored;
  }
  if (stoppedHere) return waitForFinalState(services, operationId);
  return (await loadBulkOperation(services.db, operationId))!;
}

/** Waits briefly for an operation of this process to stop, so the payload usually shows CANCELED. */
async function waitForFinalState(services: EngineServices, operationId: number): Promise<BulkOperationRow> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  for (;;) {
    const current = (await loadBulkOperation(services.db, operationId))!;
    if (isFinalBulkOperationStatus(current.status) || Date.now() > deadline) return current;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
