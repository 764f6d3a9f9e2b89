/**
 * The check of a range of a rework's selection right before it is changed. The request was
 * checked when it was accepted, but the operation may have waited for a synchronization run of
 * its tenant, and settings (publishing, write access) may have changed since; so every object is
 * checked again with the same rules, against the database as it is now.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { queryRows } from '../../db/sql.ts';
import type { ChunkContext } from '../bulk-operations/kinds.ts';
import type { ItemFailure, ItemRange } from '../bulk-operations/types.ts';
import type { ReworkMethod } from '../constraints.ts';
import { methodAllowedCondition, methodConditionSource } from '../constraint-conditions.ts';
import { confirmBlocked } from './blocked.ts';

/**
 * One statement per range returns only the items that may fail: gone, no longer outstanding, or
 * flagged by the SQL twins of the constraint rules. The flagged ones are then judged by
 * computeConstraints with the selection. The items of a new operation have no planner statistics
 * yet, so the statements reach each object from its item by index (`lateral ... offset 0`).
 */
export async function checkReworkRange(db: Executor, context: ChunkContext, range: ItemRange): Promise<ItemFailure[]> {
  const operationId = context.operation.id;
  const method = context.operation.method as ReworkMethod;
  const inRange = sql`i.bulk_operation_id = ${operationId} and i.position between ${range.from} and ${range.to}`;

  const items = await queryRows<{ position: number; object_id: number | string; display_name: string | null; present: boolean; outstanding: boolean }>(
    db,
    sql`select s.* from (${suspectItemsSql(method, sql`select i.position, i.object_id from bulk_operation_items i where ${inRange}`)}) s
        order by s.position`,
  );
  const failures = new Map<number, ItemFailure>();
  const suspected: { id: number; displayName: string }[] = [];
  const positionOf = new Map<number, number>();
  for (const item of items) {
    const objectId = Number(item.object_id);
    if (!item.present) {
      failures.set(item.position, failure(item.position, objectId, null, 'NOT_FOUND', 'The object no longer exists, so it was not reworked.'));
    } else if (!item.outstanding) {
      failures.set(item.position, failure(item.position, objectId, item.display_name, 'NOT_OUTSTANDING', 'The object is no longer outstanding, so it was not reworked.'));
    } else {
      positionOf.set(objectId, item.position);
      suspected.push({ id: objectId, displayName: item.display_name ?? '' });
    }
  }

  if (suspected.length > 0) {
    for (const blocked of await confirmBlocked(db, method, suspected, await context.selection.load(db))) {
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
 * Builds the query of the items of `items` (a query with `position` and `object_id`) that may fail.
 * An item may fail when its object is gone, or when the SQL twins of the constraint rules flag it
 * for `method`, which includes an object that is no longer outstanding. Columns: position,
 * object_id, display_name, present, outstanding.
 */
export function suspectItemsSql(method: ReworkMethod, items: SQL): SQL {
  return sql`select i.position, i.object_id, o.display_name, o.id is not null as present, coalesce(o.outstanding, false) as outstanding
    from (${items}) i
    left join lateral (select objects.id, objects.display_name, objects.outstanding_since is not null as outstanding,
                              ${methodAllowedCondition(method)} as allowed
                       from ${methodConditionSource(method)} where objects.id = i.object_id offset 0) o on true
    where o.id is null or not o.allowed`;
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
