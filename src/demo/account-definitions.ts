/**
 * The set-up part of the demo data. It enables publishing flags and creates account definitions
 * with an initial one for Contoso. It moves accounts to LINKED_CONFIGURED with a group passed on,
 * so indirect memberships exist, and adds a second tenant, Adatum, on the HTTP connector with
 * write access off.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { objects, syncTables, targetSystemTypes, targetSystemTypeTables } from '../db/schema.ts';
import { createAccountDefinition } from '../domain/account-definitions.ts';
import { assignAccountDefinitionToLinkedAccounts } from '../domain/account-management.ts';
import { operatingSystemActor } from '../domain/actor.ts';
import { EXCHANGE_ONLINE } from '../domain/built-in-catalog.ts';
import type { ChangeContext } from '../domain/change-context.ts';
import { assignAccountDefinitionToTenant } from '../domain/initial-account-definition.ts';
import { findManageLevelByName } from '../domain/manage-levels.ts';
import { configureTablesForPublishing } from '../domain/sync-table-assignments.ts';
import { createTenant, findTenantByName } from '../domain/tenants.ts';
import type { Services } from '../graphql/context.ts';

/** Mail users that get the mail-user definition; Nick Sanders vanishes in the later export, so his memberships stay frozen. */
const CONFIGURED_MAIL_USERS = ['Megan Bowen', 'Adele Vance', 'Alex Wilber', 'Lee Gu', 'Nick Sanders'];
const PASSED_ON_GROUP = 'Retail Partners';

/**
 * Loads the set-up between Contoso's first and second synchronization run: the second run then
 * links its new contact with Contoso's initial account definition (LINKED_CONFIGURED), while the
 * other contacts stay LINKED.
 */
export async function seedDemoSetUp(services: Services, contosoName: string): Promise<void> {
  const { db } = services;
  const context: ChangeContext = { actor: operatingSystemActor(), logger: services.logger.child({ module: 'demo' }) };
  const [type] = await db.select().from(targetSystemTypes).where(eq(targetSystemTypes.name, EXCHANGE_ONLINE));
  await enablePublishing(services, type!.id, context);

  const unmanaged = (await findManageLevelByName(db, 'Unmanaged'))!;
  const fullManaged = (await findManageLevelByName(db, 'Full managed'))!;
  const levels = [unmanaged.id, fullManaged.id];

  const contoso = (await findTenantByName(db, contosoName))!;
  const [group] = await db.select({ id: objects.id }).from(objects).where(and(eq(objects.tenantId, contoso.id), eq(objects.displayName, PASSED_ON_GROUP)));
  const mailUsers = await createAccountDefinition(
    db,
    {
      tenantId: contoso.id,
      name: 'Exchange Online mail users',
      description: 'Mail users of Contoso staff; fully managed ones join Retail Partners.',
      allowedManageLevelIds: levels,
      defaultManageLevelId: fullManaged.id,
      groupIds: group ? [group.id] : [],
    },
    context,
  );
  const contacts = await createAccountDefinition(
    db,
    {
      tenantId: contoso.id,
      name: 'Exchange Online contacts',
      description: 'External partners as mail contacts.',
      allowedManageLevelIds: levels,
      defaultManageLevelId: unmanaged.id,
    },
    context,
  );
  await assignAccountDefinitionToTenant(db, { tenantId: contoso.id, accountDefinitionId: contacts.id }, context);

  const accounts = await db
    .select({ id: objects.id })
    .from(objects)
    .innerJoin(syncTables, eq(syncTables.id, objects.syncTableId))
    .where(and(eq(objects.tenantId, contoso.id), eq(syncTables.name, 'MailUser'), inArray(objects.displayName, CONFIGURED_MAIL_USERS)));
  await assignAccountDefinitionToLinkedAccounts(
    db,
    { accountIds: accounts.map((account) => account.id), accountDefinitionId: mailUsers.id, manageLevelId: fullManaged.id },
    { ...context, maxSelection: services.config.MAX_SELECTION_SIZE },
  );

  await seedAdatum(services, levels, unmanaged.id, context);
}

/** Publishing on for every built-in table but MailUser, so the TABLE_NOT_PUBLISHABLE constraint shows on mail users. */
async function enablePublishing(services: Services, typeId: number, context: ChangeContext): Promise<void> {
  const tables = await services.db
    .select({ id: syncTables.id, name: syncTables.name })
    .from(syncTables)
    .innerJoin(targetSystemTypeTables, and(eq(targetSystemTypeTables.syncTableId, syncTables.id), eq(targetSystemTypeTables.targetSystemTypeId, typeId)));
  const settings = tables.map((table) => ({ syncTableId: table.id, publishingEnabled: table.name !== 'MailUser' }));
  await configureTablesForPublishing(services.db, { targetSystemTypeId: typeId, settings }, context);
}

/** Registers a second tenant on the HTTP connector at a placeholder address, with write access off and no secret stored. */
async function seedAdatum(services: Services, levels: number[], defaultLevel: number, context: ChangeContext): Promise<void> {
  const { tenant } = await createTenant(
    services.db,
    {
      name: 'Adatum',
      primaryDomain: 'adatum.com',
      connector: {
        mode: 'HTTP',
        writeAccess: false,
        baseUrl: 'https://exchange-admin.adatum.example',
        tokenEndpoint: 'https://login.adatum.example/adatum.com/oauth2/v2.0/token',
        clientId: '00000000-0000-4000-8000-000000000000',
      },
    },
    context,
  );
  for (const name of ['Exchange Online mail users', 'Exchange Online contacts']) {
    await createAccountDefinition(services.db, { tenantId: tenant.id, name, allowedManageLevelIds: levels, defaultManageLevelId: defaultLevel }, context);
  }
}
