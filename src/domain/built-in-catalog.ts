/**
 * Reference data every installation has: the Exchange Online target system type, its built-in
 * synchronization tables and the two built-in manage levels. Written idempotently at start-up.
 */
import { and, eq } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { manageLevels, syncTables, targetSystemTypes, targetSystemTypeTables } from '../db/schema.ts';

export const EXCHANGE_ONLINE = 'Exchange Online';

export const BUILT_IN_TABLES = [
  { name: 'MailUser', displayName: 'Mail users', kind: 'OBJECT', objectKind: 'MAIL_USER' },
  { name: 'MailContact', displayName: 'Mail contacts', kind: 'OBJECT', objectKind: 'MAIL_CONTACT' },
  { name: 'DistributionGroup', displayName: 'Distribution groups', kind: 'OBJECT', objectKind: 'DISTRIBUTION_GROUP' },
  { name: 'DistributionGroupMember', displayName: 'Distribution group members', kind: 'ASSIGNMENT', objectKind: 'MEMBERSHIP' },
] as const;

export const BUILT_IN_MANAGE_LEVELS = [
  { name: 'Unmanaged', description: 'The account is linked to its identity but keeps its own properties and memberships.', inheritsGroups: false },
  { name: 'Full managed', description: 'The identity manages the account, including the groups its account definition passes on.', inheritsGroups: true },
] as const;

export async function ensureBuiltInCatalog(db: Executor): Promise<void> {
  const created = await db
    .insert(targetSystemTypes)
    .values({ name: EXCHANGE_ONLINE, connectorKind: 'exchange-online' })
    .onConflictDoNothing()
    .returning();
  const [type] = await db.select().from(targetSystemTypes).where(eq(targetSystemTypes.name, EXCHANGE_ONLINE));

  await db
    .insert(syncTables)
    .values(BUILT_IN_TABLES.map((table) => ({ ...table, isCustom: false })))
    .onConflictDoNothing();
  const tables = await db.select().from(syncTables).where(eq(syncTables.isCustom, false));
  const byName = new Map(tables.map((table) => [table.name, table]));

  const groups = byName.get('DistributionGroup')!;
  await db
    .update(syncTables)
    .set({ containerTableId: groups.id })
    .where(and(eq(syncTables.name, 'DistributionGroupMember'), eq(syncTables.isCustom, false)));

  // Built-in tables are assigned once, when the type is created, so an admin's unassignment sticks.
  // Publishing is left for the admin to enable.
  if (created.length > 0) {
    await db
      .insert(targetSystemTypeTables)
      .values(BUILT_IN_TABLES.map((table) => ({ targetSystemTypeId: type!.id, syncTableId: byName.get(table.name)!.id })))
      .onConflictDoNothing();
  }

  await db
    .insert(manageLevels)
    .values(BUILT_IN_MANAGE_LEVELS.map((level) => ({ ...level, isBuiltIn: true })))
    .onConflictDoNothing();
}
