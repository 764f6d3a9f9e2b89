/**
 * Member lists (rule 2). Assignment rows never get log entries of their own: a member added to or
 * removed from a group is logged on the group, naming the member. A member removed from a list
 * marks its assignment row outstanding (REMOVED_FROM_MEMBER_LIST); a group that vanished takes all
 * its assignment rows with it (CONTAINER_DELETED).
 */
import { sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.ts';
import { queryRows } from '../../db/sql.ts';
import { writeLogEntriesFromQuery } from '../log.ts';
import { containerTableIds, idArray, memberTableIds, type RunCounts, type RunScope, type RunTable } from './scope.ts';

/** Marks the assignment rows of every container the run marked outstanding, except those pending provisioning. */
export async function markRowsOfDeletedContainers(tx: Transaction, scope: RunScope, assignment: RunTable, counts: RunCounts): Promise<void> {
  const rows = await queryRows<{ marked: number | string; pending: number | string }>(
    tx,
    sql`with affected as (
          select m.id, coalesce(m.provisioning_status = 'PENDING', false) as pending
          from objects m
          join sync_plan p on p.action = 'MARK' and p.object_id = m.container_id
          where m.target_system_id = ${scope.targetSystemId}::bigint and m.sync_table_id = ${assignment.id}::bigint
            and m.outstanding_since is null),
        marked as (
          update objects m
          set outstanding_since = ${scope.at.toISOString()}::timestamptz, outstanding_cause = 'CONTAINER_DELETED',
              version = m.version + 1, updated_at = ${scope.at.toISOString()}::timestamptz
          from affected a where m.id = a.id and not a.pending
          returning m.id)
        select (select count(*) from marked) as marked, (select count(*) from affected where pending) as pending`,
  );
  counts.add(assignment.name, 'markedOutstanding', Number(rows[0]?.marked ?? 0));
  counts.add(assignment.name, 'skippedPending', Number(rows[0]?.pending ?? 0));
}

/**
 * Builds `sync_member_plan` for a covered assignment table. It has one row per member row of the
 * snapshot (INSERT, UPDATE, UNCHANGED, SKIP_OUTSTANDING, or UNRESOLVED when its group or member is
 * unknown). It also has one row per assignment row that vanished from the member list of a group
 * the run covers (REMOVE, DELETE, or SKIP_PENDING). Both direct and indirect rows match a member
 * row, because inherited memberships appear in the target system's member lists once published.
 */
export async function planMembers(tx: Transaction, scope: RunScope, assignment: RunTable): Promise<void> {
  const ts = sql`${scope.targetSystemId}::bigint`;
  const lookup = (tableIds: number[]) => sql`(
    select distinct on (key) id, key, display_name, outstanding_since
    from objects
    where target_system_id = ${ts} and sync_table_id = any(${idArray(tableIds)}) and not is_indirect
    order by key, id)`;

  await tx.execute(sql`drop table if exists sync_member_plan`);
  await tx.execute(sql`
    create temp table sync_member_plan (
      membership_id bigint,
      container_id bigint,
      member_id bigint,
      key text not null,
      container_key text not null,
      member_key text not null,
      member_name text not null,
      display_name text not null,
      action text not null
    ) on commit drop`);

  await tx.execute(sql`
    insert into sync_member_plan
    select m.id, c.id, mem.id, s.key, s.container_key, s.member_key,
      coalesce(mem.display_name, s.display_name),
      coalesce(mem.display_name, s.display_name) || ' in ' || coalesce(c.display_name, s.container_key),
      case
        when c.id is null or mem.id is null then 'UNRESOLVED'
        when m.id is not null and m.outstanding_since is not null then 'SKIP_OUTSTANDING'
        when c.outstanding_since is not null then 'SKIP_OUTSTANDING'
        when m.id is null and mem.outstanding_since is not null then 'SKIP_OUTSTANDING'
        when m.id is null then 'INSERT'
        when m.properties = s.properties and m.container_id = c.id and m.member_id = mem.id
         and m.display_name = mem.display_name || ' in ' || c.display_name then 'UNCHANGED'
        else 'UPDATE'
      end
    from sync_stage_members s
    left join ${lookup(containerTableIds(scope, assignment))} c on c.key = s.container_key
    left join ${lookup(memberTableIds(scope, assignment))} mem on mem.key = s.member_key
    left join objects m on m.target_system_id = ${ts} and m.sync_table_id = s.sync_table_id and m.key = s.key
    where s.sync_table_id = ${assignment.id}::bigint`);

  // Covered groups: every group that is not outstanding, except those missing from the snapshot
  // while their provisioning is pending, because their member lists are not in the export either.
  await tx.execute(sql`
    insert into sync_member_plan
    select m.id, m.container_id, m.member_id, m.key, c.key, coalesce(mem.key, split_part(m.key, ':', 2)),
      coalesce(mem.display_name, m.display_name), m.display_name,
      case
        when m.provisioning_status = 'PENDING' then 'SKIP_PENDING'
        when ${assignment.missingAction}::text = 'DELETE' then 'DELETE'
        else 'REMOVE'
      end
    from objects m
    join objects c on c.id = m.container_id
    left join objects mem on mem.id = m.member_id
    where m.target_system_id = ${ts} and m.sync_table_id = ${assignment.id}::bigint
      and m.outstanding_since is null and c.outstanding_since is null
      and not exists (select 1 from sync_plan p where p.object_id = c.id and p.action = 'SKIP_PENDING')
      and not exists (select 1 from sync_stage_members s where s.sync_table_id = m.sync_table_id and s.key = m.key)`);

  await tx.execute(sql`create index on sync_member_plan (action, key)`);
  await tx.execute(sql`analyze sync_member_plan`);
}

export async function countMemberPlan(tx: Transaction, assignment: RunTable, counts: RunCounts): Promise<void> {
  const rows = await queryRows<{ action: string; n: number | string }>(
    tx,
    sql`select action, count(*) as n from sync_member_plan group by action`,
  );
  const keys = {
    INSERT: 'inserted',
    UPDATE: 'updated',
    UNCHANGED: 'unchanged',
    SKIP_OUTSTANDING: 'skippedOutstanding',
    REMOVE: 'markedOutstanding',
    DELETE: 'deleted',
    SKIP_PENDING: 'skippedPending',
    UNRESOLVED: 'unresolvedReferences',
  } as const;
  for (const row of rows) counts.add(assignment.name, keys[row.action as keyof typeof keys], Number(row.n));
}

/** Carries out `sync_member_plan`, logging each added and removed member on its group. */
export async function applyMemberPlan(tx: Transaction, scope: RunScope, assignment: RunTable): Promise<void> {
  const at = sql`${scope.at.toISOString()}::timestamptz`;
  const log = { at: scope.at, synchronizationRunId: scope.runId };

  await tx.execute(sql`
    with inserted as (
      insert into objects (tenant_id, target_system_id, sync_table_id, key, display_name, properties, container_id, member_id, created_at, updated_at)
      select ${scope.tenantId}::bigint, ${scope.targetSystemId}::bigint, s.sync_table_id, p.key, p.display_name, s.properties,
             p.container_id, p.member_id, ${at}, ${at}
      from sync_member_plan p
      join sync_stage_members s on s.sync_table_id = ${assignment.id}::bigint and s.key = p.key
      where p.action = 'INSERT'
      returning id, key)
    update sync_member_plan p set membership_id = i.id from inserted i where p.action = 'INSERT' and p.key = i.key`);

  await tx.execute(sql`
    update objects m
    set display_name = p.display_name, properties = s.properties, container_id = p.container_id, member_id = p.member_id,
        version = m.version + 1, updated_at = ${at}
    from sync_member_plan p
    join sync_stage_members s on s.sync_table_id = ${assignment.id}::bigint and s.key = p.key
    where p.action = 'UPDATE' and m.id = p.membership_id`);

  await tx.execute(sql`
    update objects m
    set outstanding_since = ${at}, outstanding_cause = 'REMOVED_FROM_MEMBER_LIST', version = m.version + 1, updated_at = ${at}
    from sync_member_plan p
    where p.action = 'REMOVE' and m.id = p.membership_id`);

  await tx.execute(sql`delete from objects where id in (select membership_id from sync_member_plan where action = 'DELETE')`);

  // The group's member list changed: a new version of the group, unless the run inserted the group.
  await tx.execute(sql`
    update objects c set version = c.version + 1, updated_at = ${at}
    where c.id in (select container_id from sync_member_plan where action in ('INSERT', 'REMOVE', 'DELETE'))
      and not exists (select 1 from sync_plan p where p.object_id = c.id and p.action = 'INSERT')`);

  await writeLogEntriesFromQuery(
    tx,
    sql`select container_id as object_id, 'UPDATE' as method,
          case when action = 'INSERT' then 'Member added: ' else 'Member removed: ' end || member_name || '.' as message,
          member_key
        from sync_member_plan
        where action in ('INSERT', 'REMOVE', 'DELETE')
        order by container_id, key`,
    log,
  );
}
