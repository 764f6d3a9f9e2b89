/**
 * Accepting a bulk operation: one transaction stores the operation, its fixed and ordered
 * selection, and a claim on every object it may change, and queues the job that runs it. Objects
 * that another unfinished operation holds make the whole request fail at once, naming them: an
 * object is in at most one running operation, and no change is lost to a race.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import type { Database, Transaction } from '../../db/client.ts';
import { bulkOperations } from '../../db/schema.ts';
import { queryRows } from '../../db/sql.ts';
import { enqueueJob } from '../../jobs/queue.ts';
import type { Actor } from '../actor.ts';
import { recordAudit } from '../audit.ts';
import { DomainError } from '../errors.ts';
import { sqlState } from './database-errors.ts';
import { ObjectsBusyError, type BusyObject } from './errors.ts';
import type { BulkOperationRow, Processing } from './types.ts';

export const BULK_OPERATION_QUEUE = 'bulk-operation';

/**
 * Attempts of a bulk-operation job. Waiting for a tenant does not spend attempts; only failures
 * of the infrastructure do (the database unreachable), retried with backoff for hours.
 */
export const BULK_OPERATION_JOB_ATTEMPTS = 100;

export interface NewBulkOperation {
  /** A registered kind (kinds.ts). */
  kind: string;
  method: string;
  processing: Processing;
  continueOnError: boolean;
  actor: Actor;
  /** Kind-specific input, e.g. the account definition of LINK_ACCOUNTS. */
  parameters?: Record<string, unknown>;
  /** The objects it processes, in order. */
  selection: SelectionSource;
  /**
   * Checks the stored selection inside the accepting transaction, before anything is claimed or
   * queued; a thrown error rejects the whole request.
   */
  validate?: (tx: Transaction, operation: BulkOperationRow) => Promise<void>;
  /**
   * Rows the operation changes besides its selection, claimed with it: a query selecting `id`,
   * which may read the new operation's rows in `bulk_operation_items`.
   */
  dependents?: (operationId: number) => SQL;
}

/**
 * The selection of a new operation. Either object ids in processing order (position 1 is the
 * first), with their tenants when the caller knows them. Or a function that stores the items of
 * the operation itself, so that a large selection never travels to the server and back. The
 * function returns how many items it stored and their tenants.
 */
export type SelectionSource =
  | { objectIds: readonly number[]; tenantIds?: readonly number[] }
  | { store: (tx: Transaction, operationId: number) => Promise<{ total: number; tenantIds: number[] }> };

/** PostgreSQL reports a deadlock when two acceptances claim the same objects in a different order. */
const DEADLOCK = '40P01';
/** A claim that another operation holds. */
const UNIQUE_VIOLATION = '23505';
const CLAIM_ATTEMPTS = 3;

/** Stores the operation and queues its job. Throws ObjectsBusyError naming objects held elsewhere. */
export async function acceptBulkOperation(db: Database, spec: NewBulkOperation): Promise<BulkOperationRow> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((tx) => storeOperation(tx, spec));
    } catch (error) {
      // Claims are taken in id order, but the dependents of a DELETE come in a second statement,
      // so two acceptances can still wait on each other. Once the other one committed, a retry
      // names the objects it holds.
      if (sqlState(error) !== DEADLOCK || attempt >= 3) throw error;
    }
  }
}

async function storeOperation(tx: Transaction, spec: NewBulkOperation): Promise<BulkOperationRow> {
  const { actor } = spec;
  const [created] = await tx
    .insert(bulkOperations)
    .values({
      kind: spec.kind,
      method: spec.method,
      processing: spec.processing,
      continueOnError: spec.continueOnError,
      requestedBy: actor.name,
      parameters: { ...spec.parameters, actor: { kind: actor.kind, role: actor.role, tenantIds: actor.tenantIds } },
    })
    .returning();
  const { total, tenantIds } = await storeItems(tx, created!.id, spec.selection);
  const [stored] = await tx.update(bulkOperations).set({ total, tenantIds }).where(eq(bulkOperations.id, created!.id)).returning();
  const operation = stored!;
  await spec.validate?.(tx, operation);

  await claimObjects(tx, operation.id, spec.dependents?.(operation.id));

  await recordAudit(tx, actor, {
    action: 'bulkOperation.submit',
    outcome: 'SUCCEEDED',
    tenantId: tenantIds.length === 1 ? tenantIds[0] : null,
    subjectType: 'BulkOperation',
    subjectId: operation.id,
    details: {
      kind: spec.kind,
      method: spec.method,
      processing: spec.processing,
      continueOnError: spec.continueOnError,
      total,
      ...spec.parameters,
    },
  });
  await enqueueJob(tx, BULK_OPERATION_QUEUE, { bulkOperationId: operation.id }, { maxAttempts: BULK_OPERATION_JOB_ATTEMPTS });
  return operation;
}

async function storeItems(tx: Transaction, operationId: number, selection: SelectionSource): Promise<{ total: number; tenantIds: number[] }> {
  if ('store' in selection) return selection.store(tx, operationId);
  await tx.execute(sql`
    insert into bulk_operation_items (bulk_operation_id, position, object_id)
    select ${operationId}, t.position, t.object_id
    from unnest(${`{${selection.objectIds.join(',')}}`}::bigint[]) with ordinality as t(object_id, position)`);
  const tenantIds = selection.tenantIds ? [...selection.tenantIds] : await lookUpTenants(tx, operationId);
  return { total: selection.objectIds.length, tenantIds };
}

async function lookUpTenants(tx: Transaction, operationId: number): Promise<number[]> {
  const rows = await queryRows<{ tenant_id: number | string }>(
    tx,
    sql`select distinct o.tenant_id from objects o
        where o.id in (select object_id from bulk_operation_items where bulk_operation_id = ${operationId})`,
  );
  return rows.map((row) => Number(row.tenant_id)).sort((a, b) => a - b);
}

/**
 * Claims the selection and the dependents, in id order. The claims are plain inserts in a
 * savepoint, cheaper than `on conflict do nothing` for 100,000 rows. An insert of a claim that
 * another open transaction is inserting waits for that transaction. When it commits, the insert
 * fails with a unique violation, so the claims of other operations are looked up and named.
 */
async function claimObjects(tx: Transaction, operationId: number, dependents: SQL | undefined): Promise<void> {
  const selection = sql`select object_id from bulk_operation_items where bulk_operation_id = ${operationId}`;
  for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
    try {
      await tx.transaction(async (savepoint) => {
        await savepoint.execute(sql`insert into object_claims (object_id, bulk_operation_id)
          select s.object_id, ${operationId}::bigint from (${selection}) s order by s.object_id`);
        if (dependents) {
          await savepoint.execute(sql`insert into object_claims (object_id, bulk_operation_id)
            select distinct d.id, ${operationId}::bigint from (${dependents}) d where d.id not in (${selection}) order by d.id`);
        }
      });
      return;
    } catch (error) {
      if (sqlState(error) !== UNIQUE_VIOLATION) throw error;
    }

    const held = await queryRows<{ object_id: number | string; bulk_operation_id: number | string; display_name: string | null; final: boolean }>(
      tx,
      sql`select c.object_id, c.bulk_operation_id, o.display_name,
                 (b.id is null or b.status not in ('QUEUED', 'RUNNING')) as final
          from (${selection}${dependents ? sql` union select id from (${dependents}) d` : sql``}) as s(object_id)
          cross join lateral (select c.object_id, c.bulk_operation_id from object_claims c
                              where c.object_id = s.object_id and c.bulk_operation_id <> ${operationId} offset 0) c
          left join objects o on o.id = c.object_id
          left join bulk_operations b on b.id = c.bulk_operation_id
          order by c.object_id`,
    );
    const busy: BusyObject[] = held
      .filter((row) => !row.final)
      .map((row) => ({ objectId: Number(row.object_id), displayName: row.display_name, bulkOperationId: Number(row.bulk_operation_id) }));
    if (busy.length > 0) throw new ObjectsBusyError(busy);

    // Claims left behind by an operation that finished (a crash between its final update and the
    // release) hold nothing: free them and claim again. With none left, the holder released its
    // claims meanwhile.
    if (held.length > 0) {
      await tx.execute(sql`delete from object_claims where object_id in (${sql.join(
        held.map((row) => sql`${Number(row.object_id)}`),
        sql`, `,
      )})`);
    }
  }
  throw new DomainError(
    'CONFLICT',
    `Other bulk operations kept claiming and releasing the selected objects while this one was accepted (${CLAIM_ATTEMPTS} attempts). Submit the request again.`,
  );
}
