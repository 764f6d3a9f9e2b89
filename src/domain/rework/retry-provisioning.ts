/**
 * Queues provisioning again for objects whose provisioning failed, after the cause was fixed
 * (write access switched on, a name conflict resolved in the target system).
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { objects, syncTables } from '../../db/schema.ts';
import { enqueueJob } from '../../jobs/queue.ts';
import type { Actor } from '../actor.ts';
import { recordAudit } from '../audit.ts';
import { runAudited } from '../audited.ts';
import type { EngineServices } from '../bulk-operations/services.ts';
import { databaseIdLabel, DomainError, type IdLabel } from '../errors.ts';
import { assertNotFrozen } from '../frozen.ts';
import { writeLogEntries } from '../log.ts';
import { memberKeyOfMembership, type ObjectKind } from '../object-reads.ts';
import { PROVISIONING_JOB_ATTEMPTS, PROVISIONING_QUEUE } from './provisioning-queue.ts';
import { inTenantScope, tenantScope } from '../tenant-scope.ts';

/** Sets each object's provisioning to PENDING and queues a job for it; returns their ids. */
export async function retryProvisioning(
  services: EngineServices,
  actor: Actor,
  objectIds: readonly number[],
  options: {
    /** Renders ids in error messages; database ids by default. */
    idLabel?: IdLabel;
    /** The kind each id was given as; an object of another kind counts as not found. */
    expectedKind?: (id: number) => ObjectKind | undefined;
  } = {},
): Promise<number[]> {
  const idLabel = options.idLabel ?? databaseIdLabel;
  const ids = [...new Set(objectIds)];
  if (ids.length === 0) throw new DomainError('EMPTY_SELECTION', 'Pass at least one object id in `objectIds`.', ['input', 'objectIds']);
  if (ids.length > services.config.MAX_SELECTION_SIZE) {
    throw new DomainError('SELECTION_TOO_LARGE', `At most ${services.config.MAX_SELECTION_SIZE} objects (MAX_SELECTION_SIZE) can be retried at once; ${ids.length} were passed.`, ['input', 'objectIds']);
  }

  const subject = { action: 'provisioning.retry', subjectType: 'TargetSystemObject', details: { objectIds: ids.slice(0, 1000) } };
  const retried = await runAudited(services.db, actor, subject, async (tx) => {
    const loaded = await tx
      .select({ row: objects, objectKind: syncTables.objectKind })
      .from(objects)
      .innerJoin(syncTables, eq(syncTables.id, objects.syncTableId))
      .where(inArray(objects.id, ids));
    const visible = loaded
      .filter(({ row, objectKind }) => inTenantScope(tenantScope(actor), row.tenantId) && (options.expectedKind?.(row.id) ?? objectKind) === objectKind)
      .map(({ row }) => row);
    const found = new Set(visible.map((row) => row.id));
    const unknown = ids.filter((id) => !found.has(id));
    if (unknown.length > 0) {
      throw new DomainError(
        'NOT_FOUND',
        `No object has the ID ${unknown.map(idLabel).join(', ')}. It may have been deleted; reload the objects and select again.`,
        ['input', 'objectIds', String(objectIds.indexOf(unknown[0]!))],
        { objectIds: unknown },
      );
    }
    await assertNotFrozen(tx, ids, 'retry provisioning (an outstanding object is published again with the PUBLISH rework)');
    const notFailed = visible.filter((row) => row.provisioningStatus !== 'FAILED');
    if (notFailed.length > 0) {
      const named = notFailed.map((row) => `${row.displayName} (${idLabel(row.id)}): ${row.provisioningStatus ?? 'never published'}`).join(', ');
      throw new DomainError(
        'PROVISIONING_NOT_FAILED',
        `Only failed provisioning can be retried, but ${notFailed.length} object(s) are not FAILED: ${named}.`,
        ['input', 'objectIds', String(objectIds.indexOf(notFailed[0]!.id))],
        { objectIds: notFailed.map((row) => row.id) },
      );
    }

    const at = new Date();
    await tx
      .update(objects)
      .set({ provisioningStatus: 'PENDING', provisioningMessage: null, provisioningUpdatedAt: at, updatedAt: at })
      .where(and(inArray(objects.id, ids), sql`${objects.provisioningStatus} = 'FAILED'`));
    for (const row of visible) {
      await enqueueJob(tx, PROVISIONING_QUEUE, { objectId: row.id, bulkOperationId: null, requestedBy: actor.name, requestedByRole: actor.role }, { maxAttempts: PROVISIONING_JOB_ATTEMPTS });
      await recordAudit(tx, actor, { action: 'provisioning.retry', outcome: 'SUCCEEDED', tenantId: row.tenantId, subjectType: 'TargetSystemObject', subjectId: row.id, details: { displayName: row.displayName, previousMessage: row.provisioningMessage } });
    }
    await writeLogEntries(
      tx,
      visible.map((row) => ({
        objectId: row.containerId ?? row.id,
        method: 'PUBLISH' as const,
        message: `${row.containerId !== null ? `Membership ${row.displayName}: p` : 'P'}rovisioning queued again by ${actor.name} after it failed.`,
        memberKey: row.containerId !== null ? memberKeyOfMembership(row) : null,
      })),
      at,
    );
    return visible.map((row) => row.id);
  });
  services.notifyJobs();
  services.logger.child({ module: 'provisioning' }).info({ objectIds: retried, actor: actor.name }, 'provisioning queued again');
  return retried;
}
