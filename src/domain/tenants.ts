/**
 * Tenants and their Exchange Online target systems: registration, changes with optimistic
 * concurrency, deletion of empty tenants, and reads.
 */
import { and, count, eq, inArray, sql } from 'drizzle-orm';
import type { Executor, Transaction } from '../db/client.ts';
import { targetSystems, targetSystemTypes, tenants } from '../db/schema.ts';
import { keysetCondition, keysetOrderBy, type PageRequest } from '../graphql/pagination.ts';
import { operatingSystemActor, type Actor } from './actor.ts';
import { recordAudit } from './audit.ts';
import { runAudited } from './audited.ts';
import { EXCHANGE_ONLINE } from './built-in-catalog.ts';
import type { ChangeContext } from './change-context.ts';
import { resolveConnectorColumns, type ConnectorColumns, type ConnectorSettingsInput } from './connector-settings.ts';
import { DomainError } from './errors.ts';
import { isUniqueViolation, versionConflict } from './optimistic-concurrency.ts';
import { removeTenantData } from './tenant-removal.ts';
import { inTenantScope, tenantCondition, tenantScope, type TenantScope } from './tenant-scope.ts';

export type TenantRow = typeof tenants.$inferSelect;
export type TargetSystemRow = typeof targetSystems.$inferSelect;

export interface NewTenant {
  name: string;
  primaryDomain: string;
  connector?: ConnectorSettingsInput | null;
  /** Shorthand for `connector.writeAccess`. */
  writeAccess?: boolean;
}

export interface TenantChanges {
  id: number;
  /** The version the change is based on; a different current version is a CONFLICT. */
  version: number;
  name?: string | null;
  primaryDomain?: string | null;
  connector?: ConnectorSettingsInput | null;
}

/** Registers a tenant with its Exchange Online target system, on the simulated connector unless `connector` names another. */
export async function createTenant(
  db: Executor,
  input: NewTenant,
  context: ChangeContext = { actor: operatingSystemActor() },
): Promise<{ tenant: TenantRow; targetSystem: TargetSystemRow }> {
  const subject = { action: 'tenant.create', subjectType: 'Tenant', details: { name: input.name } };
  return runAudited(db, context.actor, subject, async (tx) => {
    await assertNameFree(tx, input.name);
    const connector = resolveConnectorColumns(
      { writeAccess: input.writeAccess, ...input.connector },
      undefined,
      input.primaryDomain,
      context.secretKey,
    );
    const [type] = await tx.select().from(targetSystemTypes).where(eq(targetSystemTypes.name, EXCHANGE_ONLINE));

    const [tenant] = await insertOrExplain(input.name, () =>
      tx.insert(tenants).values({ name: input.name, primaryDomain: input.primaryDomain }).returning(),
    );
    const [targetSystem] = await tx
      .insert(targetSystems)
      .values({ tenantId: tenant!.id, targetSystemTypeId: type!.id, name: targetSystemName(input.primaryDomain), ...connector })
      .returning();

    await recordAudit(tx, context.actor, {
      action: 'tenant.create',
      outcome: 'SUCCEEDED',
      tenantId: tenant!.id,
      subjectType: 'Tenant',
      subjectId: tenant!.id,
      details: { name: tenant!.name, primaryDomain: tenant!.primaryDomain, ...describeConnector(connector) },
    });
    context.logger?.info({ tenantId: tenant!.id, actor: context.actor.name, connectorMode: connector.connectorMode }, 'tenant created');
    return { tenant: tenant!, targetSystem: targetSystem! };
  });
}

/** Changes a tenant's name, primary domain or connector settings, based on the version the caller read. */
export async function updateTenant(
  db: Executor,
  input: TenantChanges,
  context: ChangeContext,
): Promise<{ tenant: TenantRow; targetSystem: TargetSystemRow }> {
  const subject = { action: 'tenant.update', tenantId: input.id, subjectType: 'Tenant', subjectId: input.id };
  return runAudited(db, context.actor, subject, async (tx) => {
    const current = await lockTenant(tx, input.id, context.actor);
    if (current.version !== input.version) throw versionConflict(`Tenant ${current.name}`, input.version, current.version);
    const name = input.name ?? current.name;
    const primaryDomain = input.primaryDomain ?? current.primaryDomain;
    if (name !== current.name) await assertNameFree(tx, name);

    const system = await targetSystemOf(tx, current.id);
    const connector = resolveConnectorColumns(input.connector, system, primaryDomain, context.secretKey);

    const [tenant] = await insertOrExplain(name, () =>
      tx
        .update(tenants)
        .set({ name, primaryDomain, version: sql`${tenants.version} + 1`, updatedAt: new Date() })
        .where(and(eq(tenants.id, current.id), eq(tenants.version, input.version)))
        .returning(),
    );
    if (!tenant) throw versionConflict(`Tenant ${current.name}`, input.version, (await lockTenant(tx, input.id, context.actor)).version);
    const [targetSystem] = await tx
      .update(targetSystems)
      .set({ ...connector, name: targetSystemName(primaryDomain), version: sql`${targetSystems.version} + 1`, updatedAt: new Date() })
      .where(eq(targetSystems.id, system.id))
      .returning();

    const changes = changedFields(current, system, tenant, connector, input.connector?.clientSecret != null);
    await recordAudit(tx, context.actor, { ...subject, outcome: 'SUCCEEDED', details: { name: tenant.name, changes, ...describeConnector(connector) } });
    context.logger?.info({ tenantId: tenant.id, actor: context.actor.name, changes }, 'tenant updated');
    return { tenant, targetSystem: targetSystem! };
  });
}

/** Deletes a tenant without objects, with its target system, account definitions, identities and run history. */
export async function deleteTenant(db: Executor, id: number, context: ChangeContext): Promise<{ deletedTenantId: number }> {
  const subject = { action: 'tenant.delete', tenantId: id, subjectType: 'Tenant', subjectId: id };
  return runAudited(db, context.actor, subject, async (tx) => {
    const tenant = await lockTenant(tx, id, context.actor);
    await removeTenantData(tx, tenant);
    await recordAudit(tx, context.actor, { ...subject, outcome: 'SUCCEEDED', details: { name: tenant.name } });
    context.logger?.info({ tenantId: id, actor: context.actor.name }, 'tenant deleted');
    return { deletedTenantId: id };
  });
}

/**
 * Loads the tenant row and locks it against concurrent changes until the transaction ends. A
 * tenant outside `actor`'s tenant limit is reported exactly like one that does not exist.
 */
export async function lockTenant(tx: Transaction, id: number, actor?: Actor, path = ['input', 'id']): Promise<TenantRow> {
  const [tenant] = await tx.select().from(tenants).where(eq(tenants.id, id)).for('update');
  if (!tenant || (actor && !inTenantScope(tenantScope(actor), tenant.id))) throw new DomainError('NOT_FOUND', `Tenant ${id} not found. List the tenants with the \`tenants\` query.`, path);
  return tenant;
}

/** Loads the tenant's Exchange Online target system; every tenant has exactly one. */
export async function targetSystemOf(db: Executor, tenantId: number): Promise<TargetSystemRow> {
  const [system] = await db.select().from(targetSystems).where(eq(targetSystems.tenantId, tenantId)).orderBy(targetSystems.id).limit(1);
  if (!system) throw new Error(`Tenant ${tenantId} has no target system.`);
  return system;
}

async function assertNameFree(db: Executor, name: string): Promise<void> {
  if (await findTenantByName(db, name)) {
    throw new DomainError('ALREADY_EXISTS', `A tenant named ${JSON.stringify(name)} exists already. Choose another name.`, ['input', 'name']);
  }
}

/** Runs an insert or update of the name; a concurrent writer of the same name becomes ALREADY_EXISTS. */
async function insertOrExplain<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new DomainError('ALREADY_EXISTS', `A tenant named ${JSON.stringify(name)} exists already. Choose another name.`, ['input', 'name']);
  }
}

function targetSystemName(primaryDomain: string): string {
  return `${EXCHANGE_ONLINE} (${primaryDomain})`;
}

/** Connector settings for the audit: everything but the secret, which shows only as present or absent. */
function describeConnector(connector: ConnectorColumns): Record<string, unknown> {
  const { encryptedSecret, ...visible } = connector;
  return { ...visible, hasClientSecret: encryptedSecret !== null };
}

function changedFields(before: TenantRow, system: TargetSystemRow, after: TenantRow, connector: ConnectorColumns, newSecret: boolean): string[] {
  const changes: string[] = [];
  if (before.name !== after.name) changes.push('name');
  if (before.primaryDomain !== after.primaryDomain) changes.push('primaryDomain');
  for (const field of ['connectorMode', 'writeAccess', 'baseUrl', 'tokenEndpoint', 'clientId'] as const) {
    if (system[field] !== connector[field]) changes.push(`connector.${field}`);
  }
  if (newSecret || (system.encryptedSecret !== null && connector.encryptedSecret === null)) changes.push('connector.clientSecret');
  return changes;
}

export async function findTenantByName(db: Executor, name: string): Promise<TenantRow | undefined> {
  const [tenant] = await db.select().from(tenants).where(eq(tenants.name, name));
  return tenant;
}

/** Tenants by id; those outside `scope` are left out, as if they did not exist. */
export async function loadTenants(db: Executor, ids: readonly number[], scope: TenantScope = null): Promise<TenantRow[]> {
  return db.select().from(tenants).where(and(inArray(tenants.id, [...ids]), tenantCondition(tenants.id, scope)));
}

export async function listTenants(db: Executor, page: PageRequest, scope: TenantScope = null): Promise<TenantRow[]> {
  const order = { columns: [sql`${tenants.name}`, sql`${tenants.id}`], descending: false };
  return db
    .select()
    .from(tenants)
    .where(and(keysetCondition(order, page), tenantCondition(tenants.id, scope)))
    .orderBy(...keysetOrderBy(order, page))
    .limit(page.limit + 1);
}

export async function countTenants(db: Executor, scope: TenantScope = null): Promise<number> {
  const [row] = await db.select({ value: count() }).from(tenants).where(tenantCondition(tenants.id, scope));
  return row?.value ?? 0;
}
