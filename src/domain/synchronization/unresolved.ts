/**
 * Unresolved references: member rows whose group or member the database does not hold, such as
 * a mailbox in a distribution group when mailboxes are not synchronized. They never fail a run and
 * are never dropped: each is kept with its row's properties until a later run can resolve it.
 */
import { sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.ts';
import { queryRows } from '../../db/sql.ts';
import { writeLogEntriesFromQuery } from '../log.ts';
import { containerTableIds, idArray, memberTableIds, type RunCounts, type RunScope, type RunTable } from './scope.ts';

/**
 * Stores the UNRESOLVED rows of `sync_member_plan` and forgets references of this table that the
 * snapshot no longer lists (their member left the group in the target system) or that resolved.
 */
export async function recordUnresolvedReferences(tx: Transaction, scope: RunScope, assignment: RunTable, counts: RunCounts): Promise<void> {
  await tx.execute(sql`
    insert into unresolved_references
      (tenant_id, target_system_id, sync_table_id, container_key, member_key, container_id, properties, first_seen_run_id, last_seen_run_id)
    select ${scope.tenantId}::bigint, ${scope.targetSystemId}::bigint, ${assignment.id}::bigint, p.container_key, p.member_key,
           p.container_id, s.properties, ${scope.runId}::bigint, ${scope.runId}::bigint
    from sync_member_plan p
    join sync_stage_members s on s.sync_table_id = ${assignment.id}::bigint and s.key = p.key
    where p.action = 'UNRESOLVED'
    on conflict (target_system_id, sync_table_id, container_key, member_key) do update
      set container_id = excluded.container_id, properties = excluded.properties, last_seen_run_id = excluded.last_seen_run_id`);

  const [row] = await queryRows<{ resolved: number | string }>(
    tx,
    sql`with removed as (
          delete from unresolved_references
          where target_system_id = ${scope.targetSystemId}::bigint and sync_table_id = ${assignment.id}::bigint
            and last_seen_run_id is distinct from ${scope.runId}::bigint
          returning container_key || ':' || member_key as key)
        select count(*) as resolved from removed r
        where exists (select 1 from sync_member_plan p where p.key = r.key and p.action <> 'UNRESOLVED')`,
  );
  counts.add(assignment.name, 'resolvedReferences', Number(row?.resolved ?? 0));
}

/**
 * Resolves references of an assignment table the snapshot did not cover, when the objects this
 * run inserted complete them: the membership is inserted (logged on its group) and the reference
 * removed. A reference whose group or member is outstanding stays, because frozen objects do not
 * change (rule 4).
 */
export async function resolveReferences(tx: Transaction, scope: RunScope, assignment: RunTable, counts: RunCounts): Promise<void> {
  const ts = sql`${scope.targetSystemId}::bigint`;
  const at = sql`${scope.at.toISOString()}::timestamptz`;
  const lookup = (tableIds: number[]) => sql`(
    select distinct on (key) id, key, display_name, outstanding_since
    from objects
    where target_system_id = ${ts} and sync_table_id = any(${idArray(tableIds)}) and not is_indirect
    order by key, id)`;

  await tx.execute(sql`drop table if exists sync_resolved`);
  await tx.execute(sql`
    create temp table sync_resolved on commit drop as
    select r.id as reference_id, r.container_key || ':' || r.member_key as key, r.member_key, r.properties,
           c.id as container_id, mem.id as member_id, mem.display_name as member_name,
           mem.display_name || ' in ' || c.display_name as display_name,
           exists (select 1 from objects m where m.target_system_id = ${ts} and m.sync_table_id = r.sync_table_id
                   and m.key = r.container_key || ':' || r.member_key) as exists_already
    from unresolved_references r
    join ${lookup(containerTableIds(scope, assignment))} c on c.key = r.container_key
    join ${lookup(memberTableIds(scope, assignment))} mem on mem.key = r.member_key
    where r.target_system_id = ${ts} and r.sync_table_id = ${assignment.id}::bigint
      and c.outstanding_since is null and mem.outstanding_since is null`);

  const [row] = await queryRows<{ inserted: number | string; resolved: number | string }>(
    tx,
    sql`with inserted as (
          insert into objects (tenant_id, target_system_id, sync_table_id, key, display_name, properties, container_id, member_id, created_at, updated_at)
          select ${scope.tenantId}::bigint, ${ts}, ${assignment.id}::bigint, key, display_name, properties, container_id, member_id, ${at}, ${at}
          from sync_resolved where not exists_already
          returning id),
        removed as (delete from unresolved_references where id in (select reference_id from sync_resolved) returning id)
        select (select count(*) from inserted) as inserted, (select count(*) from removed) as resolved`,
  );
  await tx.execute(sql`
    update objects c set version = c.version + 1, updated_at = ${at}
    where c.id in (select container_id from sync_resolved where not exists_already)`);
  await writeLogEntriesFromQuery(
    tx,
    sql`select container_id as object_id, 'UPDATE' as method, 'Member added: ' || member_name || '.' as message, member_key
        from sync_resolved where not exists_already order by container_id, key`,
    { at: scope.at, synchronizationRunId: scope.runId },
  );
  counts.add(assignment.name, 'inserted', Number(row?.inserted ?? 0));
  counts.add(assignment.name, 'resolvedReferences', Number(row?.resolved ?? 0));
}
