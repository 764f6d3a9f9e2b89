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
import { sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.ts';
import { queryRows } from '../../db/sql.ts';
import { auditInsertSql } from '../audit.ts';
import { itemsDoneSql, itemsInRange, type ChunkContext } from '../bulk-operations/kinds.ts';
import type { ItemRange } from '../bulk-operations/types.ts';
import { logEntriesInsertSql } from '../log.ts';

/** Deletes the range's objects; returns how many rows were deleted, assignment rows included. */
export async function deleteRange(tx: Transaction, context: ChunkContext, range: ItemRange, skip: ReadonlySet<number>): Promise<number> {
  const operationId = context.operation.id;
  const at = sql`${context.at.toISOString()}::timestamptz`;

  const rows = await queryRows<{ deleted: number | string }>(
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
        select o.id, o.tenant_id, o.container_id, o.display_name, o.key, d.owner_id
        from doomed_ids d
        cross join lateral (select o.id, o.tenant_id, o.container_id, o.display_name, o.key from objects o where o.id = d.id offset 0) o),
      kept_containers as (
        select r.container_id, r.display_name, r.key, r.owner_id from doomed r
        where r.container_id is not null and r.container_id not in (select id from doomed)),
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
            from doomed r`,
        context.at,
      )}),
      deleted as (delete from objects o where o.id = any(array(select id from doomed_ids)) returning o.id)
      ${context.markItems ? sql`, done as (${itemsDoneSql(operationId, range, skip)})` : sql``}
      select count(*) as deleted from deleted`,
  );
  return Number(rows[0]?.deleted ?? 0);
}
