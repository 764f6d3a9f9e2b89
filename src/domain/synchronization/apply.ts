/**
 * Carries out the object plan: updates, inserts, outstanding marks and deletions, each one
 * statement over the whole plan, with the log entries of rule 1.
 */
import { sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.ts';
import { queryRows } from '../../db/sql.ts';
import { writeLogEntriesFromQuery } from '../log.ts';
import { accountTableIds, idArray, tableById, type RunCounts, type RunScope } from './scope.ts';

export async function applyObjectPlan(tx: Transaction, scope: RunScope, counts: RunCounts): Promise<void> {
  const log = { at: scope.at, synchronizationRunId: scope.runId };
  const at = scope.at.toISOString();

  // Log first: the message names the changed properties, which needs the old values.
  await writeLogEntriesFromQuery(
    tx,
    sql`select p.object_id, 'UPDATE' as method,
          'Changed in the target system: ' || coalesce((
            select string_agg(k.name, ', ' order by k.name)
            from (select jsonb_object_keys(o.properties) as name union select jsonb_object_keys(s.properties)) as k
            where (o.properties -> k.name) is distinct from (s.properties -> k.name)), 'display name') || '.' as message,
          null::text as member_key
        from sync_plan p
        join objects o on o.id = p.object_id
        join sync_stage_objects s on s.sync_table_id = p.sync_table_id and s.key = p.key
        where p.action = 'UPDATE'`,
    log,
  );
  await tx.execute(sql`
    update objects o
    set display_name = s.display_name, properties = s.properties, version = o.version + 1, updated_at = ${at}::timestamptz
    from sync_plan p
    join sync_stage_objects s on s.sync_table_id = p.sync_table_id and s.key = p.key
    where p.action = 'UPDATE' and o.id = p.object_id`);

  // New accounts get the id of the identity linking will create for them (rule 12) right away,
  // which spares updating every new account again.
  await tx.execute(sql`
    with inserted as (
      insert into objects (tenant_id, target_system_id, sync_table_id, key, display_name, properties, identity_id, created_at, updated_at)
      select ${scope.tenantId}::bigint, ${scope.targetSystemId}::bigint, s.sync_table_id, s.key, s.display_name, s.properties,
             case when s.sync_table_id = any(${idArray(accountTableIds(scope))}) then nextval(pg_get_serial_sequence('identities', 'id')) end,
             ${at}::timestamptz, ${at}::timestamptz
      from sync_plan p
      join sync_stage_objects s on s.sync_table_id = p.sync_table_id and s.key = p.key
      where p.action = 'INSERT'
      returning id, sync_table_id, key)
    update sync_plan p set object_id = i.id
    from inserted i
    where p.action = 'INSERT' and p.sync_table_id = i.sync_table_id and p.key = i.key`);
  await writeLogEntriesFromQuery(
    tx,
    sql`select object_id, 'INSERT' as method, 'New in the target system; inserted.' as message, null::text as member_key
        from sync_plan where action = 'INSERT'`,
    log,
  );

  await tx.execute(sql`
    update objects o
    set outstanding_since = ${at}::timestamptz, outstanding_cause = 'MISSING', version = o.version + 1, updated_at = ${at}::timestamptz
    from sync_plan p
    where p.action = 'MARK' and o.id = p.object_id`);
  await writeLogEntriesFromQuery(
    tx,
    sql`select object_id, 'MARK_OUTSTANDING' as method, 'Missing from the target system; marked outstanding.' as message,
          null::text as member_key
        from sync_plan where action = 'MARK'`,
    log,
  );

  await deleteMissingObjects(tx, scope, counts);
}

/**
 * Deletes the missing objects of tables set to delete instead of mark, with every assignment row
 * that has one of them as container or member. Their log entries go with them (foreign key cascade).
 */
async function deleteMissingObjects(tx: Transaction, scope: RunScope, counts: RunCounts): Promise<void> {
  const rows = await queryRows<{ sync_table_id: number | string; n: number | string }>(
    tx,
    sql`with doomed as (select object_id as id from sync_plan where action = 'DELETE'),
        assignments as (
          delete from objects m
          where m.target_system_id = ${scope.targetSystemId}::bigint
            and (m.container_id in (select id from doomed) or m.member_id in (select id from doomed))
          returning m.sync_table_id)
        select sync_table_id, count(*) as n from assignments group by sync_table_id`,
  );
  for (const row of rows) counts.add(tableById(scope, Number(row.sync_table_id)).name, 'deleted', Number(row.n));

  await tx.execute(sql`
    update unresolved_references set container_id = null
    where container_id in (select object_id from sync_plan where action = 'DELETE')`);
  await tx.execute(sql`delete from objects where id in (select object_id from sync_plan where action = 'DELETE')`);
}
