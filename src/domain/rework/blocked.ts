/**
 * Which objects of a selection the method is disabled for. computeConstraints decides, as it does
 * for the query API. It loads facts per object, so for 100,000 objects a set-based query first
 * narrows them down with the SQL twins of the constraint rules (constraint-conditions.ts). Those
 * judge each object on its own, so they flag a superset: a membership published together with its
 * outstanding container is flagged there and then allowed by computeConstraints, which takes the
 * selection into account.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { queryRows } from '../../db/sql.ts';
import { methodAllowedCondition } from '../constraint-conditions.ts';
import { computeConstraints, type ReworkMethod } from '../constraints.ts';
import type { BlockedObject } from './errors.ts';

const CONSTRAINT_CHUNK = 5000;

/** The joins whose columns the constraint conditions read, as selectObjectRows joins them. */
export const objectFactsJoin = sql`objects
  join sync_tables on sync_tables.id = objects.sync_table_id
  join target_systems on target_systems.id = objects.target_system_id
  join target_system_types on target_system_types.id = target_systems.target_system_type_id`;

/** Objects matching `condition` that the constraint conditions flag for `method`. */
export async function suspects(db: Executor, method: ReworkMethod, condition: SQL): Promise<{ id: number; displayName: string }[]> {
  const rows = await queryRows<{ id: number | string; display_name: string }>(
    db,
    sql`select objects.id, objects.display_name from ${objectFactsJoin}
        where ${condition} and not (${methodAllowedCondition(method)})
        order by objects.id`,
  );
  return rows.map((row) => ({ id: Number(row.id), displayName: row.display_name }));
}

/** Runs computeConstraints on the suspects and keeps those it blocks, with its reasons. */
export async function confirmBlocked(
  db: Executor,
  method: ReworkMethod,
  candidates: readonly { id: number; displayName: string }[],
  selection: ReadonlySet<number>,
): Promise<BlockedObject[]> {
  const blocked: BlockedObject[] = [];
  for (let start = 0; start < candidates.length; start += CONSTRAINT_CHUNK) {
    const chunk = candidates.slice(start, start + CONSTRAINT_CHUNK);
    const constraints = await computeConstraints(
      db,
      chunk.map((candidate) => candidate.id),
      { selection },
    );
    for (const candidate of chunk) {
      const constraint = constraints.get(candidate.id)?.find((entry) => entry.method === method);
      if (constraint && !constraint.allowed) blocked.push({ objectId: candidate.id, displayName: candidate.displayName, reasons: constraint.reasons });
    }
  }
  return blocked;
}
