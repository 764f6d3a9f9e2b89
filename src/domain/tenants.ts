/**
 * Tenants and their target systems.
 */
import { count, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { targetSystems, targetSystemTypes, tenants } from '../db/schema.ts';
import { keysetCondition, keysetOrderBy, type PageRequest } from '../graphql/pagination.ts';
import { EXCHANGE_ONLINE } from './built-in-catalog.ts';
import { DomainError } from './errors.ts';

export type TenantRow = typeof tenants.$inferSelect;
export type TargetSystemRow = typeof targetSystems.$inferSelect;

export interface NewTenant {
  name: string;
  primaryDomain: string;
  writeAccess?: boolean;
}

/**
 * Registers a tenant with its Exchange Online target system on the simulated connector.
 * TODO: connector settings for the HTTP connector, validation and audit come with tenant management.
 */
export async function createTenant(db: Executor, input: NewTenant): Promise<{ tenant: TenantRow; targetSystem: TargetSystemRow }> {
  if (await findTenantByName(db, input.name)) {
    throw new DomainError('ALREADY_EXISTS', `A tenant named ${JSON.stringify(input.name)} exists already. Choose another name.`, ['input', 'name']);
  }
  const [type] = await db.select().from(targetSystemTypes).where(eq(targetSystemTypes.name, EXCHANGE_ONLINE));
  const [tenant] = await db.insert(tenants).values({ name: input.name, primaryDomain: input.primaryDomain }).returning();
  const [targetSystem] = await db
    .insert(targetSystems)
    .values({
      tenantId: tenant!.id,
      targetSystemTypeId: type!.id,
      name: `${EXCHANGE_ONLINE} (${input.primaryDomain})`,
      connectorMode: 'SIMULATED',
      writeAccess: input.writeAccess ?? true,
    })
    .returning();
  return { tenant: tenant!, targetSystem: targetSystem! };
}

export async function findTenantByName(db: Executor, name: string): Promise<TenantRow | undefined> {
  const [tenant] = await db.select().from(tenants).where(eq(tenants.name, name));
  return tenant;
}

export async function loadTenants(db: Executor, ids: readonly number[]): Promise<TenantRow[]> {
  return db.select().from(tenants).where(inArray(tenants.id, [...ids]));
}

export async function listTenants(db: Executor, page: PageRequest): Promise<TenantRow[]> {
  const order = { columns: [sql`${tenants.name}`, sql`${tenants.id}`], descending: false };
  return db
    .select()
    .from(tenants)
    .where(keysetCondition(order, page))
    .orderBy(...keysetOrderBy(order, page))
    .limit(page.limit + 1);
}

export async function countTenants(db: Executor): Promise<number> {
  const [row] = await db.select({ value: count() }).from(tenants);
  return row?.value ?? 0;
}
