/**
 * Reads and writes of an operation's stored selection (`bulk_operation_items`). Positions start at
 * 1 and follow the processing order. Only SEQUENTIAL processing records each item's state, because
 * a BULK operation saves all of its items or none.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { queryRows } from '../../db/sql.ts';

/** Object ids of the selection; with `excludeFailed`, without the items that failed already. */
async function loadSelection(db: Executor, operationId: number, options: { excludeFailed?: boolean } = {}): Promise<Set<number>> {
  const rows = await queryRows<{ object_id: number | string }>(
    db,
    sql`select object_id from bulk_operation_items where bulk_operation_id = ${operationId}
        ${options.excludeFailed ? sql`and state <> 'FAILED'` : sql``}`,
  );
  return new Set(rows.map((row) => Number(row.object_id)));
}

/**
 * The object ids of an operation's selection that have not failed, read from the stored items the
 * first time a check needs them. Most checks never do (only a constraint that depends on the
 * selection reads it), and a selection of 100,000 ids costs a query and memory. The executor is
 * passed at each read because on PGlite a read inside the work's transaction must use that
 * transaction's handle.
 */
export class StoredSelection {
  private ids: Set<number> | null = null;
  private readonly excluded = new Set<number>();

  constructor(
    private readonly operationId: number,
    private readonly options: { excludeFailed?: boolean } = {},
  ) {}

  async load(db: Executor): Promise<ReadonlySet<number>> {
    if (!this.ids) {
      this.ids = await loadSelection(db, this.operationId, this.options);
      for (const id of this.excluded) this.ids.delete(id);
    }
    return this.ids;
  }

  /** Leaves out an object that failed: later checks no longer count it as part of the selection. */
  exclude(objectId: number): void {
    this.excluded.add(objectId);
    this.ids?.delete(objectId);
  }
}

/** Items saved and failed so far, and the first position still to process (total + 1 when none is left). */
export async function sequentialPosition(db: Executor, operationId: number, total: number): Promise<{ succeeded: number; failed: number; next: number }> {
  const [row] = await queryRows<{ succeeded: number | string; failed: number | string; next: number | string | null }>(
    db,
    sql`select count(*) filter (where state = 'SUCCEEDED') as succeeded,
               count(*) filter (where state = 'FAILED') as failed,
               min(position) filter (where state = 'PENDING') as next
        from bulk_operation_items where bulk_operation_id = ${operationId}`,
  );
  return {
    succeeded: Number(row?.succeeded ?? 0),
    failed: Number(row?.failed ?? 0),
    next: row?.next == null ? total + 1 : Number(row.next),
  };
}

export async function markItemSucceeded(db: Executor, operationId: number, position: number): Promise<void> {
  await db.execute(sql`update bulk_operation_items set state = 'SUCCEEDED' where bulk_operation_id = ${operationId} and position = ${position}`);
}

/** Loads the object at a position, with its display name while it exists. */
export async function describeItem(db: Executor, operationId: number, position: number): Promise<{ objectId: number | null; displayName: string | null }> {
  const [row] = await queryRows<{ object_id: number | string; display_name: string | null }>(
    db,
    sql`select i.object_id, o.display_name from bulk_operation_items i left join objects o on o.id = i.object_id
        where i.bulk_operation_id = ${operationId} and i.position = ${position}`,
  );
  return { objectId: row ? Number(row.object_id) : null, displayName: row?.display_name ?? null };
}
