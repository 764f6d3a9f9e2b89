/**
 * RESET and PUBLISH of a range, each as one statement: remove the outstanding mark, write the log
 * entry (on the object, or on its container naming the member for a membership), audit each
 * object, and for PUBLISH set the provisioning to PENDING and queue one provisioning job per object
 * in the same transaction, so a job exists exactly when its publish committed.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Transaction } from '../../db/client.ts';
import { queryRows } from '../../db/sql.ts';
import { auditInsertSql } from '../audit.ts';
import { itemsDoneSql, itemsInRange, type ChunkContext } from '../bulk-operations/kinds.ts';
import type { ItemRange } from '../bulk-operations/types.ts';
import { logEntriesInsertSql } from '../log.ts';
import { suspectItemsSql } from './check.ts';
import { PROVISIONING_JOB_ATTEMPTS, PROVISIONING_QUEUE } from './provisioning-queue.ts';

/**
 * Removes the mark of the range's objects. Returns how many changed and, with `onlyIfClean`, how
 * many items may fail their check. Nothing changes when any item may fail (see DeleteOptions).
 */
export async function unmarkRange(
  tx: Transaction,
  context: ChunkContext,
  range: ItemRange,
  skip: ReadonlySet<number>,
  method: 'RESET' | 'PUBLISH',
  options: { onlyIfClean?: boolean } = {},
): Promise<{ changed: number; suspects: number }> {
  const operationId = context.operation.id;
  const at = sql`${context.at.toISOString()}::timestamptz`;
  const suspects = options.onlyIfClean ? sql`, suspects as (${suspectItemsSql(method, sql`select position, object_id from chosen`)})` : sql``;
  const clean = options.onlyIfClean ? sql`not exists (select 1 from suspects)` : sql`true`;
  const done =
    method === 'RESET'
      ? `reset by bulk operation ${operationId}: the outstanding mark was removed.`
      : `published by bulk operation ${operationId}: the outstanding mark was removed and provisioning was queued.`;

  const provisioning = method === 'PUBLISH' ? sql`, provisioning_status = 'PENDING', provisioning_message = null, provisioning_updated_at = ${at}` : sql``;
  const queued: SQL =
    method === 'PUBLISH'
      ? sql`, queued as (
          insert into jobs (queue, payload, max_attempts)
          select ${PROVISIONING_QUEUE},
                 jsonb_build_object('objectId', c.id, 'bulkOperationId', ${operationId}::bigint,
                                    'requestedBy', ${context.actor.name}::text, 'requestedByRole', ${context.actor.role}::text),
                 ${PROVISIONING_JOB_ATTEMPTS}
          from changed c order by (c.container_id is not null), c.id)`
      : sql``;

  // The object's own newest-entry columns are set in the same UPDATE, because PostgreSQL changes a
  // row at most once per statement; containers get theirs in `containers`. Rows are reached
  // through `= any(array(...))`, an index lookup per id, because the items of a new operation have
  // no planner statistics yet and a plain join could be planned badly. Jobs are queued in the
  // processing order of PUBLISH (objects before memberships, then by id).
  const rows = await queryRows<{ changed: number | string; suspects: number | string }>(
    tx,
    sql`with chosen as (${itemsInRange(operationId, range, skip)})${suspects},
      changed as (
        update objects o set outstanding_since = null, outstanding_cause = null, version = o.version + 1, updated_at = ${at},
          last_log_at = case when o.container_id is null then ${at} else o.last_log_at end,
          last_log_method = case when o.container_id is null then ${method}::text else o.last_log_method end
          ${provisioning}
        where o.id = any(array(select object_id from chosen)) and o.outstanding_since is not null and ${clean}
        returning o.id, o.tenant_id, o.container_id, o.display_name, o.key),
      logged as (${logEntriesInsertSql(
        sql`select coalesce(c.container_id, c.id) as object_id, ${method}::text as method,
                   case when c.container_id is null then ${capitalize(done)}
                        else 'Membership ' || c.display_name || ' ' || ${done} end as message,
                   case when c.container_id is null then null else substr(c.key, strpos(c.key, ':') + 1) end as member_key
            from changed c`,
        { at: context.at, bulkOperationId: operationId },
      )}),
      containers as (
        update objects k set last_log_at = ${at}, last_log_method = ${method}::text
        where k.id = any(array(select container_id from changed where container_id is not null))
          and k.id not in (select id from changed)),
      audited as (${auditInsertSql(
        context.actor,
        sql`select ${`rework.${method.toLowerCase()}`}::text as action, 'SUCCEEDED'::text as outcome, c.tenant_id,
                   'TargetSystemObject'::text as subject_type, c.id as subject_id,
                   jsonb_build_object('bulkOperationId', ${operationId}::bigint, 'displayName', c.display_name, 'key', c.key) as details
            from changed c`,
        context.at,
      )})
      ${queued}
      ${context.markItems ? sql`, done as (${itemsDoneSql(operationId, range, skip)} and ${clean})` : sql``}
      select (select count(*) from changed) as changed,
             ${options.onlyIfClean ? sql`(select count(*) from suspects)` : sql`0`} as suspects`,
  );
  return { changed: Number(rows[0]?.changed ?? 0), suspects: Number(rows[0]?.suspects ?? 0) };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
