/**
 * DELETE of a range as one statement: the objects leave the database at once, with their direct
 * assignment rows (a deleted group's memberships, a deleted member's memberships). Indirect
 * memberships are never deleted; the check refuses objects that still have one. Deleted objects
 * get no log entry (their log goes with them), but a membership deleted from a container that
 * stays is logged on that container, naming the member. Every deleted row is audited, the
 * assignment rows with the selected object they were deleted with.
 *
 * Every row is reached from the chunk's items through an index, one lookup per row (`lateral ...
 * offset 0`, `= any(array(...))`). The items of a new operation have no planner statistics yet, and
 * a plain join planned for a few rows could compare every row of the chunk with every other.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Transaction } from '../../db/client.ts';
import { queryRows } from '../../db/sql.ts';
import { auditInsertSql } from '../audit.ts';
import { itemsDoneSql, itemsInRange, type ChunkContext } from '../bulk-operations/kinds.ts';
import type { ItemRange } from '../bulk-operations/types.ts';
import { methodAllowedCondition } from '../constraint-conditions.ts';
import { logEntriesInsertSql } from '../log.ts';

export interface DeleteOptions {
  /**
   * Change nothing if any item may fail its check: its object is gone, the method is not allowed
   * for it by the SQL twins of the constraint rules, or an assignment row it would take is held by
   * another operation. The statement reads every row for the change anyway, so it finds those at
   * almost no cost. The engine then checks the range in detail (check.ts).
   */
  onlyIfClean?: boolean;
}

/**
 * Deletes the range's objects. Returns how many rows were deleted, assignment rows included, and
 * with `onlyIfClean` how many items may fail. Nothing is deleted when any item may fail.
 */
export async function deleteRange(
  tx: Transaction,
  context: ChunkContext,
  range: ItemRange,
  skip: ReadonlySet<number>,
  options: DeleteOptions = {},
): Promise<{ deleted: number; suspects: number }> {
  const operationId = context.operation.id;
  const at = sql`${context.at.toISOString()}::timestamptz`;
  const clean = options.onlyIfClean ? sql`not exists (select 1 from suspects)` : sql`true`;

  const rows = await queryRows<{ deleted: number | string; suspects: number | string }>(
    tx,
    sql`with chosen as (${itemsInRange(operationId, range, skip)}),
      dependents as (
        select a.id, c.object_id as owner_id from chosen c
        cross join lateral (select a.id from objects a where a.container_id = c.object_id and not a.is_indirect) a
        union all
        select a.id, c.object_id as owner_id from chosen c
        cross join lateral (select a.id from objects a where a.member_id = c.object_id and not a.is_indirect) a),
      doomed_ids as (
        select distinct on (d.id) d.id, d.owner_id
        from (select object_id as id, null::bigint as owner_id from chosen
              union all
              select id, owner_id from dependents where id not in (select object_id from chosen)) d
        order by d.id, d.owner_id nulls first),
      doomed as (
        select o.id, o.tenant_id, o.container_id, o.display_name, o.key, o.allowed, d.owner_id
        from doomed_ids d
        cross join lateral (select objects.id, objects.tenant_id, objects.container_id, objects.display_name, objects.key,
                                   ${methodAllowedCondition('DELETE')} as allowed
                            from objects where objects.id = d.id offset 0) o)
      ${options.onlyIfClean ? suspectsSql(operationId) : sql``},
      kept_containers as (
        select r.container_id, r.display_name, r.key, r.owner_id from doomed r
        where r.container_id is not null and r.container_id not in (select id from doomed) and ${clean}),
      logged as (${logEntriesInsertSql(
        sql`select k.container_id as object_id, 'DELETE'::text as method,
                   'Membership ' || k.display_name || ' deleted by bulk operation ' || ${operationId}::bigint ||
                     case when k.owner_id is null then '.' else ' together with its member.' end as message,
                   substr(k.key, strpos(k.key, ':') + 1) as member_key
            from kept_containers k`,
        { at: context.at, bulkOperationId: operationId },
      )}),
      containers as (
        update objects c set last_log_at = ${at}, last_log_method = 'DELETE'
        where c.id = any(array(select container_id from kept_containers))),
      audited as (${auditInsertSql(
        context.actor,
        sql`select 'rework.delete'::text as action, 'SUCCEEDED'::text as outcome, r.tenant_id,
                   'TargetSystemObject'::text as subject_type, r.id as subject_id,
                   jsonb_strip_nulls(jsonb_build_object('bulkOperationId', ${operationId}::bigint, 'displayName', r.display_name,
                                                        'key', r.key, 'deletedWith', r.owner_id)) as details
            from doomed r where ${clean}`,
        context.at,
      )}),
      deleted as (delete from objects o where o.id = any(array(select id from doomed_ids)) and ${clean} returning o.id)
      ${context.markItems ? sql`, done as (${itemsDoneSql(operationId, range, skip)} and ${clean})` : sql``}
      select (select count(*) from deleted) as deleted,
             ${options.onlyIfClean ? sql`(select count(*) from suspects)` : sql`0`} as suspects`,
  );
  return { deleted: Number(rows[0]?.deleted ?? 0), suspects: Number(rows[0]?.suspects ?? 0) };
}

/**
 * Items of the range that may fail, from the rows the statement reads anyway: an item whose object
 * is gone, a selected object the constraint conditions flag, and an assignment row that another
 * unfinished operation holds.
 */
function suspectsSql(operationId: number): SQL {
  return sql`, suspects as (
        select c.position from chosen c where c.object_id not in (select id from doomed)
        union all
        select null from doomed r where r.owner_id is null and not r.allowed
        union all
        select null from doomed r join object_claims h on h.object_id = r.id and h.bulk_operation_id <> ${operationId}
        where r.owner_id is not null)`;
}
