import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/sql.ts';
import { testDatabaseKinds } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SyncClient, csv, group, json, mailContact, mailUser, member } from '../synchronization/support.ts';
import { processLinkAccounts } from '../../src/domain/link-accounts-operation.ts';
import { accountStates, auditOf, catalogIds, databaseId, idsByName, indirectMemberships, mutate, synchronizedTenant, type SyncedTenant } from './support.ts';

const RESULT = `accounts { displayName ... on MailUser { linkState accountDefinition { name } manageLevel { name } } ... on MailContact { linkState } }
  accountCount inheritedMembershipsAdded inheritedMembershipsRemoved bulkOperation { id }
  errors { ... on AccountsRejectedError { accounts { accountId displayName reasons { code message } } } }`;

describe.each(testDatabaseKinds())('account management on %s', (kind) => {
  let server: TestServer;
  let contoso: SyncedTenant;
  let fabrikam: SyncedTenant;
  let levels: { unmanaged: string; fullManaged: string };
  const definitions = new Map<string, string>();

  const assign = (input: Record<string, unknown>) => mutate(server, 'assignAccountDefinitionToLinkedAccounts', 'AssignAccountDefinitionToLinkedAccountsInput', RESULT, input);
  const change = (input: Record<string, unknown>) => mutate(server, 'changeAccountManagement', 'ChangeAccountManagementInput', RESULT, input);
  const ids = (...names: string[]) => names.map((name) => contoso.ids.get(name) ?? fabrikam.ids.get(name));
  const createDefinition = async (tenant: SyncedTenant, name: string, extra: Record<string, unknown> = {}) => {
    const payload = await mutate(server, 'createAccountDefinition', 'CreateAccountDefinitionInput', 'accountDefinition { id }', {
      tenant: tenant.tenantId,
      name,
      allowedManageLevels: [levels.unmanaged, levels.fullManaged],
      defaultManageLevel: levels.fullManaged,
      ...extra,
    });
    expect(payload.errors).toEqual([]);
    definitions.set(name, payload.accountDefinition.id);
  };

  beforeAll(async () => {
    server = await startTestServer(kind);
    levels = await catalogIds(server);
    contoso = await synchronizedTenant(server, 'Contoso', { users: 5, contacts: 3 });
    fabrikam = await synchronizedTenant(server, 'Fabrikam', { offset: 10 });
    await createDefinition(contoso, 'Mail users', { groups: [contoso.ids.get('Contoso Sales')] });
    await createDefinition(contoso, 'Unmanaged only', { allowedManageLevels: [levels.unmanaged], defaultManageLevel: levels.unmanaged });
    await createDefinition(fabrikam, 'Fabrikam mail users');
  });
  afterAll(async () => {
    await server?.close();
  });

  test('assigning a definition makes accounts LINKED_CONFIGURED with inherited groups', async () => {
    const payload = await assign({ accountIds: ids('Megan Bowen', 'Adele Vance'), accountDefinitionId: definitions.get('Mail users'), manageLevelId: levels.fullManaged });
    expect(payload.errors).toEqual([]);
    expect(payload.accountCount).toBe(2);
    expect(payload.bulkOperation).toBeNull();
    expect(payload.accounts).toEqual([
      { displayName: 'Megan Bowen', linkState: 'LINKED_CONFIGURED', accountDefinition: { name: 'Mail users' }, manageLevel: { name: 'Full managed' } },
      { displayName: 'Adele Vance', linkState: 'LINKED_CONFIGURED', accountDefinition: { name: 'Mail users' }, manageLevel: { name: 'Full managed' } },
    ]);
    expect(payload.inheritedMembershipsAdded).toBe(2);
    expect(await indirectMemberships(server)).toEqual(['Contoso Sales <- Adele Vance', 'Contoso Sales <- Megan Bowen']);

    // An inherited membership is a Membership like a synchronized one, marked indirect.
    const [row] = await queryRows<{ id: number | string }>(server.server.runtime.services.db, sql`select id from objects where is_indirect limit 1`);
    const node = await server.query(`query ($id: ID!) { node(id: $id) { __typename ... on Membership { isIndirect container { displayName } } } }`, {
      id: Buffer.from(`Membership:${row!.id}`).toString('base64'),
    });
    expect(node.node).toEqual({ __typename: 'Membership', isIndirect: true, container: { displayName: 'Contoso Sales' } });
    expect((await auditOf(server, 'accounts.assignAccountDefinition')).at(-1)).toMatchObject({ outcome: 'SUCCEEDED', details: { count: 2 } });
  });

  test('assignment rejects the whole request, naming each account', async () => {
    const db = server.server.runtime.services.db;
    // An account synchronized before linking existed has no identity.
    await db.execute(sql`update objects set identity_id = null where id = ${databaseId(contoso.ids.get('Diego Siciliani')!)}`);

    const payload = await assign({
      accountIds: ids('Megan Bowen', 'Diego Siciliani', 'Alex Wilber', 'Nestor Wilke'),
      accountDefinitionId: definitions.get('Mail users'),
      manageLevelId: levels.fullManaged,
    });
    expect(payload.accounts).toBeNull();
    const rejected = new Map(payload.errors[0].accounts.map((account: any) => [account.displayName, account.reasons.map((reason: any) => reason.code)]));
    expect(Object.fromEntries(rejected)).toEqual({
      'Megan Bowen': ['ALREADY_CONFIGURED'],
      'Diego Siciliani': ['NOT_LINKED'],
      'Nestor Wilke': ['OTHER_TENANT_DEFINITION'],
    });
    expect(payload.errors[0].accounts[2].accountId).toBe(fabrikam.ids.get('Nestor Wilke'));
    expect((await accountStates(server, contoso.tenantId)).get('Alex Wilber')).toBe('LINKED');

    const notAllowed = await assign({ accountIds: ids('Alex Wilber'), accountDefinitionId: definitions.get('Unmanaged only'), manageLevelId: levels.fullManaged });
    expect(notAllowed.errors[0].accounts[0].reasons).toEqual([
      { code: 'MANAGE_LEVEL_NOT_ALLOWED', message: 'Manage level Full managed is not allowed by account definition Unmanaged only (allowed: Unmanaged).' },
    ]);
    const rejections = (await auditOf(server, 'accounts.assignAccountDefinition')).filter((row) => row.outcome === 'REJECTED');
    expect(rejections).toHaveLength(2);
    await db.execute(sql`update objects o set identity_id = (select id from identities i where i.tenant_id = o.tenant_id limit 1) where o.id = ${databaseId(contoso.ids.get('Diego Siciliani')!)}`);
  });

  test('assignment rejects bad selections', async () => {
    const both = await assign({ accountIds: ids('Alex Wilber'), filter: { tenant: contoso.tenantId }, accountDefinitionId: definitions.get('Mail users'), manageLevelId: levels.fullManaged });
    expect(both.errors[0]).toMatchObject({ code: 'INVALID_INPUT', path: ['input'] });
    expect(both.errors[0].message).toContain('either accountIds or filter, not both');
    const raw = await server.graphql(`mutation ($input: AssignAccountDefinitionToLinkedAccountsInput!) { assignAccountDefinitionToLinkedAccounts(input: $input) { errors { code message path } } }`, {
      input: { accountIds: [Buffer.from('MailUser:999999').toString('base64')], accountDefinitionId: definitions.get('Mail users'), manageLevelId: levels.fullManaged },
    });
    expect(raw.data.assignAccountDefinitionToLinkedAccounts.errors[0]).toMatchObject({ code: 'NOT_FOUND', path: ['input', 'accountIds'] });
    expect(raw.data.assignAccountDefinitionToLinkedAccounts.errors[0].message).toContain('Account(s) not found: 999999');

    const group = await server.graphql(`mutation ($input: AssignAccountDefinitionToLinkedAccountsInput!) { assignAccountDefinitionToLinkedAccounts(input: $input) { errors { code } } }`, {
      input: { accountIds: [contoso.ids.get('Contoso Sales')], accountDefinitionId: definitions.get('Mail users'), manageLevelId: levels.fullManaged },
    });
    expect(group.errors?.[0]?.message).toContain('it is the ID of a DistributionGroup, but the ID of a MailUser or MailContact is expected');
  });

  test('assignment by filter selects the matching accounts', async () => {
    const tables = await server.query(`{ syncTables { edges { node { id name } } } }`);
    const contactTable = tables.syncTables.edges.find((edge: any) => edge.node.name === 'MailContact').node.id;
    const payload = await assign({
      filter: { tenant: contoso.tenantId, linkState: 'LINKED', table: contactTable },
      accountDefinitionId: definitions.get('Unmanaged only'),
      manageLevelId: levels.unmanaged,
    });
    expect(payload.errors).toEqual([]);
    expect(payload.accountCount).toBe(3);
    expect(payload.inheritedMembershipsAdded).toBe(0);
    const states = await accountStates(server, contoso.tenantId);
    expect([...states].filter(([name]) => name.startsWith('Partner')).map(([, state]) => state)).toEqual(['LINKED_CONFIGURED', 'LINKED_CONFIGURED', 'LINKED_CONFIGURED']);
  });

  test('changing the manage level adds and removes inherited memberships', async () => {
    const down = await change({ accountIds: ids('Megan Bowen'), manageLevelId: levels.unmanaged });
    expect(down.errors).toEqual([]);
    expect(down.accounts[0].manageLevel).toEqual({ name: 'Unmanaged' });
    expect(down.inheritedMembershipsRemoved).toBe(1);
    expect(await indirectMemberships(server)).toEqual(['Contoso Sales <- Adele Vance']);

    const up = await change({ accountIds: ids('Megan Bowen'), manageLevelId: levels.fullManaged });
    expect(up.inheritedMembershipsAdded).toBe(1);
    expect(await indirectMemberships(server)).toEqual(['Contoso Sales <- Adele Vance', 'Contoso Sales <- Megan Bowen']);
  });

  test('taking the definition away makes accounts LINKED again', async () => {
    const payload = await change({ accountIds: ids('Megan Bowen'), accountDefinitionId: null });
    expect(payload.errors).toEqual([]);
    expect(payload.accounts[0]).toEqual({ displayName: 'Megan Bowen', linkState: 'LINKED', accountDefinition: null, manageLevel: null });
    expect(await indirectMemberships(server)).toEqual(['Contoso Sales <- Adele Vance']);

    const again = await assign({ accountIds: ids('Megan Bowen'), accountDefinitionId: definitions.get('Mail users'), manageLevelId: levels.fullManaged });
    expect(again.errors).toEqual([]);
  });

  test('changeAccountManagement rejects offending accounts', async () => {
    const payload = await change({ accountIds: ids('Megan Bowen', 'Alex Wilber'), accountDefinitionId: definitions.get('Fabrikam mail users') });
    const reasons = Object.fromEntries(payload.errors[0].accounts.map((account: any) => [account.displayName, account.reasons.map((reason: any) => reason.code)]));
    expect(reasons).toEqual({ 'Megan Bowen': ['OTHER_TENANT_DEFINITION'], 'Alex Wilber': ['NOT_CONFIGURED', 'OTHER_TENANT_DEFINITION'] });

    const level = await change({ accountIds: ids('Partner 0 (adatum.com)'), manageLevelId: levels.fullManaged });
    expect(level.errors[0].accounts[0].reasons[0].code).toBe('MANAGE_LEVEL_NOT_ALLOWED');

    const nothing = await change({ accountIds: ids('Megan Bowen') });
    expect(nothing.errors[0]).toMatchObject({ code: 'INVALID_INPUT' });
    expect((await auditOf(server, 'accounts.changeManagement')).filter((row) => row.outcome === 'REJECTED')).toHaveLength(3);
  });

  test('outstanding accounts and groups keep their inherited memberships', async () => {
    const sync = new SyncClient(server);
    const users = [0, 1, 2, 3, 4].map((n) => mailUser(n));
    const contacts = [0, 1, 2].map((n) => mailContact(n));
    // Adele Vance vanishes from the target system; her account and its memberships are frozen.
    const run = await sync.run('Contoso', {
      'MailUser.json': json(users.filter((user) => user.DisplayName !== 'Adele Vance')),
      'MailContact.csv': csv(contacts),
      'DistributionGroup.json': json([group(1, 'Contoso Sales'), group(2, 'Contoso Partners')]),
      'DistributionGroupMember.csv': csv([member(1, users[0]!), member(2, contacts[0]!)]),
    });
    expect(run.status).toBe('SUCCEEDED');

    const frozen = await change({ accountIds: ids('Adele Vance'), manageLevelId: levels.unmanaged });
    expect(frozen.errors[0].accounts[0].reasons.map((reason: any) => reason.code)).toEqual(['OUTSTANDING']);

    // Moving the definition's group elsewhere recomputes everyone but the frozen account.
    const definition = await server.query(`query ($id: ID!) { node(id: $id) { ... on AccountDefinition { version } } }`, { id: definitions.get('Mail users') });
    const moved = await mutate(server, 'updateAccountDefinition', 'UpdateAccountDefinitionInput', 'accountDefinition { id }', {
      id: definitions.get('Mail users'),
      version: definition.node.version,
      groups: [contoso.ids.get('Contoso Partners')],
    });
    expect(moved.errors).toEqual([]);
    expect(await indirectMemberships(server)).toEqual(['Contoso Partners <- Megan Bowen', 'Contoso Sales <- Adele Vance']);

    // Contoso Partners vanishes; its inherited memberships stay while it is outstanding.
    await sync.run('Contoso', {
      'MailUser.json': json(users.filter((user) => user.DisplayName !== 'Adele Vance')),
      'DistributionGroup.json': json([group(1, 'Contoso Sales')]),
      'DistributionGroupMember.csv': csv([member(1, users[0]!)]),
    });
    const dropped = await change({ accountIds: ids('Megan Bowen'), manageLevelId: levels.unmanaged });
    expect(dropped.errors).toEqual([]);
    expect(dropped.inheritedMembershipsRemoved).toBe(0);
    expect(await indirectMemberships(server)).toEqual(['Contoso Partners <- Megan Bowen', 'Contoso Sales <- Adele Vance']);

    const frozenGroup = await mutate(server, 'updateAccountDefinition', 'UpdateAccountDefinitionInput', 'accountDefinition { id }', {
      id: definitions.get('Unmanaged only'),
      version: 1,
      groups: [contoso.ids.get('Contoso Partners')],
    });
    expect(frozenGroup.errors[0].code).toBe('FROZEN_OBJECT');
  });

  test('deleting a definition in use names the account count', async () => {
    const payload = await mutate(server, 'deleteAccountDefinition', 'DeleteAccountDefinitionInput', 'deletedAccountDefinitionId', { id: definitions.get('Unmanaged only') });
    expect(payload.errors[0].message).toContain('3 account(s) use it');
  });

  test('a viewer may not manage accounts', async () => {
    const token = await server.createToken('viewer');
    const result = await server.graphql(
      `mutation ($input: ChangeAccountManagementInput!) { changeAccountManagement(input: $input) { errors { code } } }`,
      { input: { accountIds: ids('Megan Bowen'), manageLevelId: levels.unmanaged } },
      { token },
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe.each(testDatabaseKinds())('account management in bulk on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind, { env: { LINK_BULK_THRESHOLD: '2' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('above the threshold the assignment runs as a bulk operation', async () => {
    const levels = await catalogIds(server);
    const tenant = await synchronizedTenant(server, 'Contoso', { users: 4, contacts: 0 });
    const created = await mutate(server, 'createAccountDefinition', 'CreateAccountDefinitionInput', 'accountDefinition { id }', {
      tenant: tenant.tenantId,
      name: 'Mail users',
      allowedManageLevels: [levels.fullManaged],
      defaultManageLevel: levels.fullManaged,
      groups: [tenant.ids.get('Contoso Sales')],
    });
    const accountIds = ['Megan Bowen', 'Adele Vance', 'Alex Wilber'].map((name) => tenant.ids.get(name));
    const payload = await mutate(server, 'assignAccountDefinitionToLinkedAccounts', 'AssignAccountDefinitionToLinkedAccountsInput', RESULT, {
      accountIds,
      accountDefinitionId: created.accountDefinition.id,
      manageLevelId: levels.fullManaged,
    });
    expect(payload.errors).toEqual([]);
    expect(payload.accounts).toEqual([]);
    expect(payload.bulkOperation.id).toBeTruthy();

    let operation: any;
    for (let attempt = 0; attempt < 300; attempt++) {
      operation = (await server.query(`query ($id: ID!) { node(id: $id) { ... on BulkOperation { kind method status total succeeded failed } } }`, { id: payload.bulkOperation.id })).node;
      if (!['QUEUED', 'RUNNING'].includes(operation.status)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(operation).toEqual({ kind: 'LINK_ACCOUNTS', method: 'ASSIGN_ACCOUNT_DEFINITION', status: 'SUCCEEDED', total: 3, succeeded: 3, failed: 0 });
    const states = await accountStates(server, tenant.tenantId);
    expect([...states.values()].sort()).toEqual(['LINKED', 'LINKED_CONFIGURED', 'LINKED_CONFIGURED', 'LINKED_CONFIGURED']);
    expect(await indirectMemberships(server)).toEqual(['Contoso Sales <- Adele Vance', 'Contoso Sales <- Alex Wilber', 'Contoso Sales <- Megan Bowen']);
  });

  test('processLinkAccounts changes the valid accounts of a chunk and reports the others', async () => {
    const levels = await catalogIds(server);
    const data = await server.query(`{ accountDefinitions { edges { node { id } } } tenants { edges { node { id } } } }`);
    const tenantId = data.tenants.edges[0].node.id;
    const ids = await idsByName(server, tenantId);
    // Megan Bowen is LINKED_CONFIGURED since the previous test; Diego Siciliani is LINKED.
    const chunk = ['Megan Bowen', 'Diego Siciliani'].map((name) => databaseId(ids.get(name)!));

    const { db } = server.server.runtime.services;
    const result = await db.transaction((tx) =>
      processLinkAccounts(tx, [...chunk, 999_999], { accountDefinitionId: databaseId(data.accountDefinitions.edges[0].node.id), manageLevelId: databaseId(levels.fullManaged) }),
    );
    expect(result.succeededIds).toEqual([chunk[1]]);
    expect(result.failures.map((failure) => [failure.objectId, failure.reasons[0]!.code])).toEqual([
      [999_999, 'NOT_FOUND'],
      [chunk[0], 'ALREADY_CONFIGURED'],
    ]);
    expect((await accountStates(server, tenantId)).get('Diego Siciliani')).toBe('LINKED_CONFIGURED');
  });
});
