/**
 * Test data written straight into the database with drizzle: tenants, objects, memberships, log
 * entries, identities and catalog settings. Tests that need objects in a given state (outstanding,
 * without log, with an indirect membership) build them here instead of running synchronizations.
 * Every function takes the database handle of a test server: `server.server.runtime.services.db`.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../src/db/client.ts';
import {
  accountDefinitionManageLevels,
  accountDefinitions,
  identities,
  logEntries,
  manageLevels,
  objects,
  syncTables,
  targetSystems,
  targetSystemTypes,
  targetSystemTypeTables,
  tenants,
} from '../../src/db/schema.ts';
import { EXCHANGE_ONLINE } from '../../src/domain/built-in-catalog.ts';
import type { LogMethod } from '../../src/domain/log.ts';

export type TenantRow = typeof tenants.$inferSelect;
export type TargetSystemRow = typeof targetSystems.$inferSelect;
export type ObjectRow = typeof objects.$inferSelect;
export type SyncTableRow = typeof syncTables.$inferSelect;

export interface TenantFixture {
  tenant: TenantRow;
  targetSystem: TargetSystemRow;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

/** Inserts a tenant with an Exchange Online target system on the simulated connector. */
export async function insertTenant(db: Database, options: { name?: string; writeAccess?: boolean } = {}): Promise<TenantFixture> {
  const name = options.name ?? unique('tenant');
  const [type] = await db.select().from(targetSystemTypes).where(eq(targetSystemTypes.name, EXCHANGE_ONLINE));
  const [tenant] = await db.insert(tenants).values({ name, primaryDomain: `${name.toLowerCase()}.example.com` }).returning();
  const [targetSystem] = await db
    .insert(targetSystems)
    .values({ tenantId: tenant!.id, targetSystemTypeId: type!.id, name: `${EXCHANGE_ONLINE} (${name})`, writeAccess: options.writeAccess ?? true })
    .returning();
  return { tenant: tenant!, targetSystem: targetSystem! };
}

export async function syncTable(db: Database, name: string): Promise<SyncTableRow> {
  const [table] = await db.select().from(syncTables).where(eq(syncTables.name, name));
  if (!table) throw new Error(`fixture: no sync table named ${name}`);
  return table;
}

/** Inserts a custom table; assigns it to Exchange Online unless `assigned` is false. */
export async function insertCustomTable(
  db: Database,
  options: { name?: string; kind?: 'OBJECT' | 'ASSIGNMENT'; assigned?: boolean; publishing?: boolean } = {},
): Promise<SyncTableRow> {
  const name = options.name ?? unique('Custom');
  const [table] = await db
    .insert(syncTables)
    .values({ name, displayName: `Custom ${name}`, kind: options.kind ?? 'OBJECT', objectKind: 'CUSTOM', isCustom: true })
    .returning();
  if (options.assigned !== false) {
    const [type] = await db.select().from(targetSystemTypes).where(eq(targetSystemTypes.name, EXCHANGE_ONLINE));
    await db.insert(targetSystemTypeTables).values({ targetSystemTypeId: type!.id, syncTableId: table!.id, publishingEnabled: options.publishing ?? false });
  }
  return table!;
}

/** Sets the publishing flag of a table assigned to Exchange Online. */
export async function setPublishing(db: Database, tableName: string, enabled: boolean): Promise<void> {
  const table = await syncTable(db, tableName);
  await db.update(targetSystemTypeTables).set({ publishingEnabled: enabled }).where(eq(targetSystemTypeTables.syncTableId, table.id));
}

/** Removes a table's assignment to its target system types. */
export async function unassignTable(db: Database, tableName: string): Promise<void> {
  const table = await syncTable(db, tableName);
  await db.delete(targetSystemTypeTables).where(eq(targetSystemTypeTables.syncTableId, table.id));
}

export interface ObjectFixture {
  /** A table name such as `MailUser`, or a table row (custom tables). */
  table: string | SyncTableRow;
  key?: string;
  displayName?: string;
  properties?: Record<string, unknown>;
  /** Outstanding since this time (true: now); absent or false: not outstanding. */
  outstanding?: Date | boolean;
  cause?: 'MISSING' | 'REMOVED_FROM_MEMBER_LIST' | 'CONTAINER_DELETED';
  logPurgedAt?: Date;
  containerId?: number;
  memberId?: number;
  isIndirect?: boolean;
  identityId?: number;
  accountDefinitionId?: number;
  manageLevelId?: number;
  provisioning?: { status: 'PENDING' | 'SUCCEEDED' | 'FAILED'; message?: string; at?: Date };
}

/** Inserts one object into a tenant's target system. */
export async function insertObject(db: Database, owner: TenantFixture, fixture: ObjectFixture): Promise<ObjectRow> {
  const table = typeof fixture.table === 'string' ? await syncTable(db, fixture.table) : fixture.table;
  const key = fixture.key ?? randomUUID();
  const displayName = fixture.displayName ?? unique(table.name);
  const outstandingSince = fixture.outstanding === true ? new Date() : fixture.outstanding || null;
  const [row] = await db
    .insert(objects)
    .values({
      tenantId: owner.tenant.id,
      targetSystemId: owner.targetSystem.id,
      syncTableId: table.id,
      key,
      displayName,
      properties: fixture.properties ?? { Guid: key, DisplayName: displayName },
      containerId: fixture.containerId ?? null,
      memberId: fixture.memberId ?? null,
      isIndirect: fixture.isIndirect ?? false,
      outstandingSince,
      outstandingCause: outstandingSince ? (fixture.cause ?? 'MISSING') : null,
      logPurgedAt: fixture.logPurgedAt ?? null,
      identityId: fixture.identityId ?? null,
      accountDefinitionId: fixture.accountDefinitionId ?? null,
      manageLevelId: fixture.manageLevelId ?? null,
      provisioningStatus: fixture.provisioning?.status ?? null,
      provisioningMessage: fixture.provisioning?.message ?? null,
      provisioningUpdatedAt: fixture.provisioning ? (fixture.provisioning.at ?? new Date()) : null,
    })
    .returning();
  return row!;
}

/** Inserts a membership row of DistributionGroupMember (or `table`), keyed `<container key>:<member key>`. */
export async function insertMembership(
  db: Database,
  owner: TenantFixture,
  container: ObjectRow,
  member: ObjectRow,
  fixture: Omit<ObjectFixture, 'table' | 'containerId' | 'memberId' | 'key'> & { table?: string | SyncTableRow } = {},
): Promise<ObjectRow> {
  return insertObject(db, owner, {
    displayName: `${member.displayName} in ${container.displayName}`,
    properties: { Guid: member.key, GroupGuid: container.key, Name: member.displayName },
    ...fixture,
    table: fixture.table ?? 'DistributionGroupMember',
    key: `${container.key}:${member.key}`,
    containerId: container.id,
    memberId: member.id,
  });
}

/**
 * Inserts a log entry and keeps the object's newest-entry columns current, as the log writer does.
 * `at` defaults to now.
 */
export async function insertLogEntry(
  db: Database,
  object: ObjectRow,
  entry: { method: LogMethod; message?: string; memberKey?: string; at?: Date; synchronizationRunId?: number },
): Promise<typeof logEntries.$inferSelect> {
  const at = entry.at ?? new Date();
  const [row] = await db
    .insert(logEntries)
    .values({
      objectId: object.id,
      method: entry.method,
      message: entry.message ?? `${entry.method} ${object.displayName}`,
      memberKey: entry.memberKey ?? null,
      synchronizationRunId: entry.synchronizationRunId ?? null,
      createdAt: at,
    })
    .returning();
  await db
    .update(objects)
    .set({ lastLogAt: at, lastLogMethod: entry.method })
    .where(and(eq(objects.id, object.id), sql`(${objects.lastLogAt} is null or ${objects.lastLogAt} <= ${at.toISOString()}::timestamptz)`));
  return row!;
}

export async function insertIdentity(db: Database, owner: TenantFixture, displayName = unique('Identity')): Promise<typeof identities.$inferSelect> {
  const [row] = await db.insert(identities).values({ tenantId: owner.tenant.id, displayName }).returning();
  return row!;
}

/** Encodes the global ID the API gives an object of `typename`. */
export function globalId(typename: string, id: number): string {
  return Buffer.from(`${typename}:${id}`, 'utf8').toString('base64');
}

/**
 * Inserts `count` outstanding objects of one table in one statement, for tests that need thousands.
 * Display names are `<prefix> 00001`, ... so they sort in insertion order; returns their ids in
 * that order.
 */
export async function insertOutstandingObjects(
  db: Database,
  owner: TenantFixture,
  tableName: string,
  count: number,
  options: { prefix?: string; outstandingSince?: Date } = {},
): Promise<number[]> {
  const table = await syncTable(db, tableName);
  const prefix = options.prefix ?? unique(tableName);
  const since = (options.outstandingSince ?? new Date()).toISOString();
  const result = (await db.execute(sql`
    insert into objects (tenant_id, target_system_id, sync_table_id, key, display_name, properties, outstanding_since, outstanding_cause)
    select ${owner.tenant.id}, ${owner.targetSystem.id}, ${table.id}, k.key,
           ${prefix} || ' ' || lpad(n::text, 5, '0'),
           jsonb_build_object('Guid', k.key, 'DisplayName', ${prefix} || ' ' || lpad(n::text, 5, '0'), 'Name', ${prefix} || ' ' || lpad(n::text, 5, '0'),
                              'ExternalEmailAddress', 'SMTP:' || k.key || '@example.org'),
           ${since}::timestamptz, 'MISSING'
    from generate_series(1, ${count}) as n, lateral (select n as position, gen_random_uuid()::text as key) k
    order by n
    returning id`)) as unknown;
  const rows = Array.isArray(result) ? result : (result as { rows: { id: number | string }[] }).rows;
  return rows.map((row: { id: number | string }) => Number(row.id)).sort((a, b) => a - b);
}

/** Inserts an account definition of a tenant for Exchange Online, allowing the given manage levels. */
export async function insertAccountDefinition(
  db: Database,
  owner: TenantFixture,
  options: { name?: string; manageLevelNames?: string[] } = {},
): Promise<{ definition: typeof accountDefinitions.$inferSelect; manageLevels: (typeof manageLevels.$inferSelect)[] }> {
  const names = options.manageLevelNames ?? ['Unmanaged', 'Full managed'];
  const levels = await db.select().from(manageLevels).where(inArray(manageLevels.name, names));
  const [definition] = await db
    .insert(accountDefinitions)
    .values({
      tenantId: owner.tenant.id,
      targetSystemTypeId: owner.targetSystem.targetSystemTypeId,
      name: options.name ?? unique('Definition'),
      defaultManageLevelId: levels[0]!.id,
    })
    .returning();
  await db.insert(accountDefinitionManageLevels).values(levels.map((level) => ({ accountDefinitionId: definition!.id, manageLevelId: level.id })));
  return { definition: definition!, manageLevels: levels };
}
