/**
 * Compares the staged objects with the database (rule 1) into a plan: one row per object with
 * the action the run takes on it. Nothing in `objects` changes here, so the guard can still stop
 * the run before any change.
 */
import { sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.ts';
import { queryRows } from '../../db/sql.ts';
import { idArray, objectTables, tableById, type CountKey, type RunCounts, type RunScope } from './scope.ts';

/**
 * INSERT, UPDATE, UNCHANGED: the object is in the snapshot. SKIP_OUTSTANDING: it is in the
 * snapshot but outstanding, so frozen (rule 4). MARK, DELETE: it is missing and its table marks or
 * deletes. SKIP_PENDING: it is missing but its provisioning is still pending (rule 6).
 */
export type ObjectAction = 'INSERT' | 'UPDATE' | 'UNCHANGED' | 'SKIP_OUTSTANDING' | 'MARK' | 'DELETE' | 'SKIP_PENDING';

export const COUNT_OF_ACTION: Record<ObjectAction, CountKey> = {
  INSERT: 'inserted',
  UPDATE: 'updated',
  UNCHANGED: 'unchanged',
  SKIP_OUTSTANDING: 'skippedOutstanding',
  MARK: 'markedOutstanding',
  DELETE: 'deleted',
  SKIP_PENDING: 'skippedPending',
};

/** Per table: how many objects get each action. */
export type PlanSummary = Map<number, Partial<Record<ObjectAction, number>>>;

/** Builds `sync_plan` for the covered object tables and returns how many objects get each action. */
export async function planObjects(tx: Transaction, scope: RunScope): Promise<PlanSummary> {
  const covered = objectTables(scope)
    .filter((table) => scope.covered.has(table.id))
    .map((table) => table.id);

  await tx.execute(sql`
    create temp table sync_plan (
      object_id bigint,
      sync_table_id bigint not null,
      key text not null,
      action text not null
    ) on commit drop`);

  await tx.execute(sql`
    insert into sync_plan (object_id, sync_table_id, key, action)
    select o.id, s.sync_table_id, s.key,
      case
        when o.id is null then 'INSERT'
        when o.outstanding_since is not null then 'SKIP_OUTSTANDING'
        when o.display_name = s.display_name and o.properties = s.properties then 'UNCHANGED'
        else 'UPDATE'
      end
    from sync_stage_objects s
    left join objects o
      on o.target_system_id = ${scope.targetSystemId}::bigint and o.sync_table_id = s.sync_table_id
     and o.key = s.key and not o.is_indirect`);

  await tx.execute(sql`
    insert into sync_plan (object_id, sync_table_id, key, action)
    select o.id, o.sync_table_id, o.key,
      case
        when o.provisioning_status = 'PENDING' then 'SKIP_PENDING'
        when t.missing_action = 'DELETE' then 'DELETE'
        else 'MARK'
      end
    from objects o
    join sync_tables t on t.id = o.sync_table_id
    where o.target_system_id = ${scope.targetSystemId}::bigint
      and o.sync_table_id = any(${idArray(covered)})
      and not o.is_indirect
      and o.outstanding_since is null
      and not exists (select 1 from sync_stage_objects s where s.sync_table_id = o.sync_table_id and s.key = o.key)`);

  await tx.execute(sql`create index on sync_plan (action, sync_table_id)`);
  await tx.execute(sql`create index on sync_plan (object_id)`);
  await tx.execute(sql`analyze sync_plan`);

  const rows = await queryRows<{ sync_table_id: number | string; action: ObjectAction; n: number | string }>(
    tx,
    sql`select sync_table_id, action, count(*) as n from sync_plan group by sync_table_id, action`,
  );
  const summary: PlanSummary = new Map();
  for (const row of rows) {
    const tableId = Number(row.sync_table_id);
    const actions = summary.get(tableId) ?? {};
    actions[row.action] = Number(row.n);
    summary.set(tableId, actions);
  }
  return summary;
}

/** Adds the plan's counts to the run's counts. */
export function countPlan(scope: RunScope, summary: PlanSummary, counts: RunCounts): void {
  for (const [tableId, actions] of summary) {
    const table = tableById(scope, tableId);
    for (const [action, amount] of Object.entries(actions) as [ObjectAction, number][]) {
      counts.add(table.name, COUNT_OF_ACTION[action], amount);
    }
  }
}
