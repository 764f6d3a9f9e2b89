/**
 * The data a provisioning job sends: the object with its table, and for a membership its group and
 * member, as the database stores them.
 */
import { eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { objects, syncTables } from '../../db/schema.ts';

export type StoredObject = typeof objects.$inferSelect;

export interface ProvisioningSubject {
  object: StoredObject;
  tableName: string;
  /** For a membership: its group and member; null when that side no longer exists. */
  container: StoredObject | null;
  member: StoredObject | null;
}

/** Loads the object to provision; undefined when it was deleted since it was published. */
export async function loadProvisioningSubject(db: Executor, objectId: number): Promise<ProvisioningSubject | undefined> {
  const [row] = await db
    .select({ object: objects, tableName: syncTables.name })
    .from(objects)
    .innerJoin(syncTables, eq(syncTables.id, objects.syncTableId))
    .where(eq(objects.id, objectId));
  if (!row) return undefined;

  const sideIds = [row.object.containerId, row.object.memberId].filter((id): id is number => id !== null);
  const sides = sideIds.length === 0 ? [] : await db.select().from(objects).where(inArray(objects.id, sideIds));
  const byId = new Map(sides.map((side) => [side.id, side]));
  return {
    object: row.object,
    tableName: row.tableName,
    container: row.object.containerId === null ? null : (byId.get(row.object.containerId) ?? null),
    member: row.object.memberId === null ? null : (byId.get(row.object.memberId) ?? null),
  };
}
