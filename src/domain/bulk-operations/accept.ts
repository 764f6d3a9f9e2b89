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
  /** Object ids in the order they are processed; position 1 is the first. */
  objectIds: readonly number[];
  /** The tenants of those objects, when the caller knows them; otherwise they are looked up. */
  tenantIds?: readonly number[];
  /**
   * Checks the stored selection inside the accepting transaction, before anything is claimed or
   * queued; a thrown error rejects the whole request. Reading the stored items spares a second
   * pass over a list of 100,000 ids.
   */
  validate?: (tx: Transaction, operation: BulkOperationRow) => Promise<void>;
  /**
   * Rows the operation changes besides its selection, claimed with it: a query selecting `id`,
   * which may read the new operation's rows in `bulk_operation_items`.
   */
  dependents?: (operationId: number) => SQL;
}

/** PostgreSQL reports a deadlock when two acceptances claim the same objects in a different order. */
const DEADLOCK = '40P01';

/** Stores the operation and queues its job. Throws ObjectsBusyError naming objects held elsewhere. */
export async function acceptBulkOperation(db: Database, spec: NewBulkOperation): Promise<BulkOperationRow> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((tx) => storeOperation(tx, spec));
    } catch (error) {
      // Claims are taken in id order, but the dependents of a DELETE come in a second statement,
      // so two acceptances can still wait on each other. Once the other one committed, a retry
      // names the objects it holds.
      const code = (error as { cause?: { code?: string }; code?: string }).cause?.code ?? (error as { code?: string }).code;
      if (code !== DEADLOCK || attempt >= 3) throw error;
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
      total: spec.objectIds.length,
      parameters: { ...spec.parameters, actor: { kind: actor.kind, role: actor.role, tenantIds: actor.tenantIds } },
    })
    .returning();
  const operation = created!;

  await tx.execute(sql`
    insert into bulk_operation_items (bulk_operation_id, position, object_id)
    select ${operation.id}, t.position, t.object_id
    from unnest(${`{${spec.objectIds.join(',')}}`}::bigint[]) with ordinality as t(object_id, position)`);
  const tenantIds = spec.tenantIds ? [...spec.tenantIds] : await lookUpTenants(tx, operation.id);
  await tx.update(bulkOperations).set({ tenantIds }).where(eq(bulkOperations.id, operation.id));
  await spec.validate?.(tx, operation);

  await claimObjects(tx, operation.id, spec.objectIds.length, spec.dependents?.(operation.id));

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
      total: spec.objectIds.length,
      ...spec.parameters,
    },
  });
  await enqueueJob(tx, BULK_OPERATION_QUEUE, { bulkOperationId: operation.id }, { maxAttempts: BULK_OPERATION_JOB_ATTEMPTS });
  return { ...operation, tenantIds };
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
 * Claims the selection and the dependents. `on conflict do nothing` makes a claim that another
 * open transaction is inserting wait for it, then skip the row once it committed, so the later of
 * two racing acceptances sees the earlier one's claims and fails.
 */
async function claimObjects(tx: Transaction, operationId: number, total: number, dependents: SQL | undefined): Promise<void> {
  const selection = sql`select object_id from bulk_operation_items where bulk_operation_id = ${operationId}`;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const [claimed] = await queryRows<{ count: number | string }>(
      tx,
      sql`with claimed as (
            insert into object_claims (object_id, bulk_operation_id)
            select object_id, ${operationId} from (${selection}) s order by object_id
            on conflict (object_id) do nothing returning object_id)
          select count(*) as count from claimed`,
    );
    let dependentsClaimed = true;
    if (dependents) {
      const [counts] = await queryRows<{ wanted: number | string; inserted: number | string }>(
        tx,
        sql`with wanted as (select distinct d.id from (${dependents}) d where d.id not in (${selection})),
            inserted as (
              insert into object_claims (object_id, bulk_operation_id)
              select id, ${operationId}::bigint from wanted order by id
              on conflict (object_id) do nothing returning object_id)
            select (select count(*) from wanted) as wanted, (select count(*) from inserted) as inserted`,
      );
      dependentsClaimed = Number(counts?.wanted ?? 0) === Number(counts?.inserted ?? 0);
    }
    if (Number(claimed?.count ?? 0) === total && dependentsClaimed) return;

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
    if (held.length === 0) return;

    const stale = held.filter((row) => row.final);
    if (stale.length === held.length && attempt === 1) {
      // Claims left behind by an operation that finished (a crash between its final update and
      // the release): they hold nothing, so free them and claim again.
      await tx.execute(sql`delete from object_claims where object_id in (${sql.join(
        stale.map((row) => sql`${Number(row.object_id)}`),
        sql`, `,
      )})`);
      continue;
    }
    const busy: BusyObject[] = held
      .filter((row) => !row.final)
      .map((row) => ({ objectId: Number(row.object_id), displayName: row.display_name, bulkOperationId: Number(row.bulk_operation_id) }));
    if (busy.length > 0) throw new ObjectsBusyError(busy);
    return;
  }
}
