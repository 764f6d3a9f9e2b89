/**
 * Reads of synchronized objects: the row every GraphQL object type is built from, with the facts
 * of its table and target system that decide which type shows it.
 */
import { and, count, eq, getTableColumns, inArray, type SQL } from 'drizzle-orm';
import type { PgSelect } from 'drizzle-orm/pg-core';
import type { Executor } from '../db/client.ts';
import { objects, syncTables, targetSystems, targetSystemTypes } from '../db/schema.ts';

/** Values of sync_tables.object_kind; each kind has its own GraphQL type. */
export const OBJECT_KINDS = ['MAIL_USER', 'MAIL_CONTACT', 'DISTRIBUTION_GROUP', 'MEMBERSHIP', 'CUSTOM'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

export type ObjectRow = typeof objects.$inferSelect & {
  objectKind: ObjectKind;
  tableKind: 'OBJECT' | 'ASSIGNMENT';
  targetSystemTypeId: number;
};

/** Columns of an ObjectRow, as {@link selectObjectRows} selects them. */
export const objectRowColumns = {
  ...getTableColumns(objects),
  objectKind: syncTables.objectKind,
  tableKind: syncTables.kind,
  targetSystemTypeId: targetSystems.targetSystemTypeId,
};

/**
 * Selects ObjectRows where `condition` holds. `condition` may use the columns of `sync_tables`,
 * `target_systems` and `target_system_types` (the constraint conditions do). The joins go to small
 * tables by primary key, so the planner keeps walking the objects index that serves the order.
 */
export function selectObjectRows(db: Executor, condition: SQL | undefined) {
  return joinObjectFacts(db.select(objectRowColumns).from(objects).$dynamic()).where(condition);
}

/** Counts objects where `condition` holds, with the same joins as {@link selectObjectRows}. */
export async function countObjectRows(db: Executor, condition: SQL | undefined): Promise<number> {
  const [row] = await joinObjectFacts(db.select({ value: count() }).from(objects).$dynamic()).where(condition);
  return row?.value ?? 0;
}

/**
 * Adds the joins whose columns ObjectRows and the constraint conditions read. The select lists
 * its columns explicitly, so the joins leave the row type as it is.
 */
export function joinObjectFacts<T extends PgSelect>(query: T): T {
  return query
    .innerJoin(syncTables, eq(syncTables.id, objects.syncTableId))
    .innerJoin(targetSystems, eq(targetSystems.id, objects.targetSystemId))
    .innerJoin(targetSystemTypes, eq(targetSystemTypes.id, targetSystems.targetSystemTypeId)) as unknown as T;
}

/** Loads objects by id; unknown ids are absent from the result. */
export async function loadObjects(db: Executor, ids: readonly number[]): Promise<ObjectRow[]> {
  if (ids.length === 0) return [];
  const rows = await selectObjectRows(db, inArray(objects.id, [...ids]));
  return rows as ObjectRow[];
}

/**
 * Finds the objects a log entry names as its member: direct rows of object tables, by target
 * system and key. `keys` pairs a target system id with a member key.
 */
export async function loadObjectsByKey(
  db: Executor,
  keys: readonly { targetSystemId: number; key: string }[],
): Promise<ObjectRow[]> {
  if (keys.length === 0) return [];
  const systemIds = [...new Set(keys.map((entry) => entry.targetSystemId))];
  const memberKeys = [...new Set(keys.map((entry) => entry.key))];
  const rows = await selectObjectRows(
    db,
    and(
      inArray(objects.targetSystemId, systemIds),
      inArray(objects.key, memberKeys),
      eq(objects.isIndirect, false),
      eq(syncTables.kind, 'OBJECT'),
    ),
  );
  const wanted = new Set(keys.map((entry) => `${entry.targetSystemId}:${entry.key}`));
  return (rows as ObjectRow[]).filter((row) => wanted.has(`${row.targetSystemId}:${row.key}`));
}

/**
 * Extracts the member key that a membership's log entries carry on its container. A membership's
 * key is `<container key>:<member key>`, the form a synchronization run gives member rows.
 */
export function memberKeyOfMembership(row: Pick<ObjectRow, 'key'>): string {
  const separator = row.key.indexOf(':');
  return separator === -1 ? row.key : row.key.slice(separator + 1);
}
