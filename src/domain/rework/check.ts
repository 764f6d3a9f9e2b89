/**
 * The check of a range of a rework's selection right before it is changed. The request was
 * checked when it was accepted, but the operation may have waited for a synchronization run of
 * its tenant, and settings (publishing, write access) may have changed since; so every object is
 * checked again with the same rules, against the database as it is now.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { queryRows } from '../../db/sql.ts';
import type { ChunkContext } from '../bulk-operations/kinds.ts';
import type { ItemFailure, ItemRange } from '../bulk-operations/types.ts';
import type { ReworkMethod } from '../constraints.ts';
import { confirmBlocked, suspects } from './blocked.ts';

/**
 * The items of a new operation have no planner statistics yet, so every query here reaches objects
 * from the items by index, one lookup per item (`lateral ... offset 0` keeps PostgreSQL from
 * turning that into a join it would plan for two rows and run for thousands).
 */
export async function checkReworkRange(db: Executor, context: ChunkContext, range: ItemRange): Promise<ItemFailure[]> {
  const operationId = context.operation.id;
  const method = context.operation.method as ReworkMethod;
  const inRange = sql`i.bulk_operation_id = ${operationId} and i.position between ${range.from} and ${range.to}`;

  const items = await queryRows<{ position: number; object_id: number | string; display_name: string | null; outstanding: boolean | null }>(
    db,
    sql`select i.position, i.object_id, o.display_name, o.outstanding_since is not null as outstanding
        from bulk_operation_items i
        left join lateral (select o.display_name, o.outstanding_since from objects o where o.id = i.object_id offset 0) o on true
        where ${inRange}`,
  );
  const failures = new Map<number, ItemFailure>();
  const positionOf = new Map<number, number>();
  for (const item of items) {
    const objectId = Number(item.object_id);
    positionOf.set(objectId, item.position);
    if (item.outstanding === null) {
      failures.set(item.position, failure(item.position, objectId, null, 'NOT_FOUND', 'The object no longer exists, so it was not reworked.'));
    } else if (!item.outstanding) {
      failures.set(item.position, failure(item.position, objectId, item.display_name, 'NOT_OUTSTANDING', 'The object is no longer outstanding, so it was not reworked.'));
    }
  }

  if (method !== 'RESET') {
    const candidates = await suspects(db, method, sql`objects.id in (select i.object_id from bulk_operation_items i where ${inRange})`);
    const open = candidates.filter((candidate) => !failures.has(positionOf.get(candidate.id)!));
    for (const blocked of await confirmBlocked(db, method, open, context.selection)) {
      const position = positionOf.get(blocked.objectId)!;
      const message = blocked.reasons.map((reason) => reason.message).join(' ');
      failures.set(position, failure(position, blocked.objectId, blocked.displayName, blocked.reasons[0]!.code, message));
    }
  }

  if (method === 'DELETE') {
    for (const busy of await busyAssignmentRows(db, operationId, inRange)) {
      if (failures.has(busy.position)) continue;
      failures.set(
        busy.position,
        failure(
          busy.position,
          Number(busy.object_id),
          busy.display_name,
          'BUSY',
          `Its membership ${busy.row_name} (${busy.row_id}), which would be deleted with it, is in bulk operation ${busy.bulk_operation_id}, which has not finished.`,
        ),
      );
    }
  }
  return [...failures.values()].sort((a, b) => a.position! - b.position!);
}

/**
 * Assignment rows a DELETE of the range would take with it that another operation holds. The
 * claims are looked up by id (`= any(array(...))`), not joined, so the planner does not scan the
 * claims of a large running operation once per chunk.
 */
async function busyAssignmentRows(db: Executor, operationId: number, inRange: ReturnType<typeof sql>) {
  const side = (column: 'container_id' | 'member_id') => sql`
    select c.position, c.object_id, a.id as row_id, a.display_name as row_name
    from chosen c join objects a on a.${sql.raw(column)} = c.object_id and not a.is_indirect`;
  return queryRows<{ position: number; object_id: number | string; display_name: string; row_id: number | string; row_name: string; bulk_operation_id: number | string }>(
    db,
    sql`with chosen as (select i.position, i.object_id from bulk_operation_items i where ${inRange}),
        assignment_rows as (${side('container_id')} union all ${side('member_id')})
        select r.position, r.object_id, o.display_name, r.row_id, r.row_name, c.bulk_operation_id
        from assignment_rows r
        join object_claims c on c.object_id = r.row_id and c.bulk_operation_id <> ${operationId}
        join objects o on o.id = r.object_id
        where c.object_id = any(array(select row_id from assignment_rows))`,
  );
}

function failure(position: number, objectId: number, displayName: string | null, code: string, message: string): ItemFailure {
  return { position, objectId, objectDisplayName: displayName, code, message };
}
