/**
 * Storing what an operation did: the failures of its objects, and its final state together with
 * the release of its claims and the closing audit record.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { bulkOperationFailures, bulkOperations, objectClaims } from '../../db/schema.ts';
import type { Actor } from '../actor.ts';
import { recordAudit, recordAuditFromQuery } from '../audit.ts';
import { releaseTenant } from '../tenant-claims.ts';
import type { BulkOperationRow, BulkOperationStatus, ItemFailure } from './types.ts';

export interface Outcome {
  status: BulkOperationStatus;
  /** The reason it failed, was interrupted or canceled; null when it succeeded. */
  statusReason: string | null;
  processed: number;
  succeeded: number;
  failed: number;
  rolledBack: boolean;
}

const FAILURE_CHUNK = 2000;

/**
 * Stores failures, each with a FAILED audit record of the object under `auditAction`. With
 * `markItems`, their items are marked FAILED so a resumed SEQUENTIAL operation skips them.
 */
export async function storeFailures(
  db: Executor,
  operation: BulkOperationRow,
  actor: Actor,
  auditAction: string,
  failures: readonly ItemFailure[],
  options: { markItems: boolean },
): Promise<void> {
  for (let start = 0; start < failures.length; start += FAILURE_CHUNK) {
    const chunk = failures.slice(start, start + FAILURE_CHUNK);
    const stored = await db
      .insert(bulkOperationFailures)
      .values(
        chunk.map((failure) => ({
          bulkOperationId: operation.id,
          objectId: failure.objectId,
          objectDisplayName: failure.objectDisplayName,
          code: failure.code,
          message: failure.message,
        })),
      )
      .returning({ id: bulkOperationFailures.id });
    const ids = stored.map((row) => row.id);

    await recordAuditFromQuery(
      db,
      actor,
      sql`select ${auditAction}::text as action, 'FAILED'::text as outcome, o.tenant_id, 'TargetSystemObject'::text as subject_type,
                 f.object_id as subject_id,
                 jsonb_build_object('bulkOperationId', f.bulk_operation_id, 'displayName', f.object_display_name,
                                    'code', f.code, 'message', f.message, 'rolledBack', ${operation.processing === 'BULK'}::boolean) as details
          from bulk_operation_failures f left join objects o on o.id = f.object_id
          where f.id in (${sql.join(
            ids.map((id) => sql`${id}`),
            sql`, `,
          )}) and f.object_id is not null`,
    );

    const positions = chunk.map((failure) => failure.position).filter((position): position is number => position !== null);
    if (options.markItems && positions.length > 0) {
      await db.execute(sql`update bulk_operation_items set state = 'FAILED'
        where bulk_operation_id = ${operation.id} and position in (${sql.join(
          positions.map((position) => sql`${position}`),
          sql`, `,
        )})`);
    }
  }
}

/**
 * Stores the final state unless the operation already has one, releases its object and tenant
 * claims, and records the closing audit record. Returns the stored row, or undefined when another
 * path finished the operation first (a cancel of a queued operation, say).
 */
export async function storeOutcome(db: Executor, operation: BulkOperationRow, actor: Actor, outcome: Outcome): Promise<BulkOperationRow | undefined> {
  const [stored] = await db
    .update(bulkOperations)
    .set({ ...outcome, finishedAt: new Date() })
    .where(and(eq(bulkOperations.id, operation.id), inArray(bulkOperations.status, ['QUEUED', 'RUNNING'])))
    .returning();
  if (!stored) return undefined;

  await db.delete(objectClaims).where(eq(objectClaims.bulkOperationId, operation.id));
  for (const tenantId of stored.tenantIds) await releaseTenant(db, tenantId, 'BULK_OPERATION', operation.id);

  await recordAudit(db, actor, {
    action: 'bulkOperation.finish',
    outcome: outcome.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED',
    tenantId: stored.tenantIds.length === 1 ? stored.tenantIds[0] : null,
    subjectType: 'BulkOperation',
    subjectId: operation.id,
    details: { kind: operation.kind, method: operation.method, processing: operation.processing, ...outcome },
  });
  return stored;
}
