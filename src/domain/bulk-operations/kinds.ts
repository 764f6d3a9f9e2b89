/**
 * How a kind of bulk operation plugs into the engine. The engine owns everything the kinds share:
 * the stored selection, object and tenant claims, BULK and SEQUENTIAL processing with their
 * failure semantics, cancellation, restarts, progress and the final audit record. A kind only
 * defines how to check and how to change a range of its selection, with set-based SQL.
 *
 * A kind registers itself once, when its module is imported:
 *
 *     registerBulkOperationKind({ kind: 'LINK_ACCOUNTS', check, apply, auditAction });
 *
 * and creates operations with `acceptBulkOperation` (accept.ts), passing the same `kind`.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor, Transaction } from '../../db/client.ts';
import type { Actor } from '../actor.ts';
import type { StoredSelection } from './items.ts';
import type { EngineServices } from './services.ts';
import type { BulkOperationRow, ItemFailure, ItemRange } from './types.ts';

/** The context a kind receives with each range it checks or changes. */
export interface ChunkContext {
  operation: BulkOperationRow;
  /** The actor who requested the operation. Audit records written while it runs name this actor. */
  actor: Actor;
  /** Time stamp for every change of the range. */
  at: Date;
  /**
   * Object ids of the selection that have not failed so far, loaded on first use. Checks that
   * depend on the whole selection read it, e.g. publishing a membership together with its
   * outstanding container.
   */
  selection: StoredSelection;
  /**
   * True in SEQUENTIAL processing: the items changed must be marked SUCCEEDED in the same
   * transaction, so a resumed operation starts after them. A kind with `marksItems` folds that into
   * its own statement (see itemsDoneSql); for other kinds the engine marks them after `apply`.
   */
  markItems: boolean;
}

export interface BulkOperationKind {
  /** The value of `bulk_operations.kind`, e.g. `REWORK` or `LINK_ACCOUNTS`. */
  kind: string;
  /**
   * Finds the items in `range` that must not be changed, with the reason for each. It changes
   * nothing. BULK processing calls it for the whole selection, in ranges of `checkBatchSize`,
   * inside the work's transaction before the first change; SEQUENTIAL processing calls it for a
   * batch of upcoming items outside their transactions.
   */
  check(db: Executor, context: ChunkContext, range: ItemRange): Promise<ItemFailure[]>;
  /**
   * Changes the items in `range`, except those at the `skip` positions, inside `tx`, and writes
   * their log entries and audit records in the same transaction. It throws when the database
   * rejects a change; the engine then narrows the range down to the failing objects.
   */
  apply(tx: Transaction, context: ChunkContext, range: ItemRange, skip: ReadonlySet<number>): Promise<void>;
  /**
   * Optional BULK fast path. Changes the range like `apply`, but only when none of its items may
   * fail `check`. Otherwise it changes nothing and returns false. BULK processing does not check
   * the selection of a kind with this path before the first change. It tries each range this way
   * and checks in detail only a range that returned false, then applies it without the failures.
   * Within one transaction, that judges every object as a check before the first change would,
   * and it spares a second pass over a large selection.
   */
  applyIfClean?(tx: Transaction, context: ChunkContext, range: ItemRange): Promise<boolean>;
  /** True when `apply` marks its items SUCCEEDED itself whenever `context.markItems` is set. */
  marksItems?: boolean;
  /** Audit action of one object's change, e.g. `rework.delete`; failures are recorded under it too. */
  auditAction(operation: BulkOperationRow): string;
  /** Runs after changes committed, e.g. to wake the job worker for jobs the change queued. */
  afterCommit?(services: EngineServices, operation: BulkOperationRow): void;
  /** Items per BULK chunk; a chunk is one set of statements, and progress is published per chunk. */
  chunkSize?: number;
  /** Items per `check` call of BULK processing; `chunkSize` by default. */
  checkBatchSize?: number;
}

const kinds = new Map<string, BulkOperationKind>();

export function registerBulkOperationKind(kind: BulkOperationKind): void {
  kinds.set(kind.kind, kind);
}

/** Returns the registered kind; an unknown kind is a programming error, not a user error. */
export function bulkOperationKind(name: string): BulkOperationKind {
  const kind = kinds.get(name);
  if (!kind) throw new Error(`No bulk operation kind "${name}" is registered; import its module before the job worker starts.`);
  return kind;
}

/**
 * Builds the query of the items of `range`, with the columns `position` and `object_id`, for the
 * statements of a kind. Skipped positions (failed checks) are left out.
 */
export function itemsInRange(operationId: number, range: ItemRange, skip: ReadonlySet<number> = new Set()): SQL {
  return sql`select i.position, i.object_id from bulk_operation_items i
    where i.bulk_operation_id = ${operationId} and i.position between ${range.from} and ${range.to}${skipped(skip)}`;
}

function skipped(skip: ReadonlySet<number>): SQL {
  if (skip.size === 0) return sql``;
  return sql` and i.position not in (${sql.join(
    [...skip].map((position) => sql`${position}`),
    sql`, `,
  )})`;
}

/** Builds the CTE body that marks the changed items of `range` SUCCEEDED, for kinds with `marksItems`. */
export function itemsDoneSql(operationId: number, range: ItemRange, skip: ReadonlySet<number> = new Set()): SQL {
  return sql`update bulk_operation_items i set state = 'SUCCEEDED'
    where i.bulk_operation_id = ${operationId} and i.position between ${range.from} and ${range.to}${skipped(skip)}`;
}

/** Returns the actor stored with an operation when it was accepted. */
export function actorOf(operation: BulkOperationRow): Actor {
  const stored = (operation.parameters.actor ?? {}) as Partial<Actor>;
  return {
    name: operation.requestedBy,
    kind: stored.kind ?? 'api-token',
    role: stored.role ?? 'operator',
    tenantIds: stored.tenantIds ?? null,
  };
}
