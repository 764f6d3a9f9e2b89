import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKinds } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SyncClient, csv, group, json, mailContact, mailUser, member } from '../synchronization/support.ts';
import { accountStates, auditOf, catalogIds, indirectMemberships, mutate, synchronizedTenant, type SyncedTenant } from './support.ts';

const DEFINITION_FIELDS = `accountDefinition { id name description version accountCount isInitial tenant { name }
  targetSystemType { name } allowedManageLevels { name } defaultManageLevel { name } groups { displayName } }`;

describe.each(testDatabaseKinds())('account definitions on %s', (kind) => {
  let server: TestServer;
  let contoso: SyncedTenant;
  let fabrikam: SyncedTenant;
  let levels: { unmanaged: string; fullManaged: string; exchangeOnline: string };

  const create = (input: Record<string, unknown>) => mutate(server, 'createAccountDefinition', 'CreateAccountDefinitionInput', DEFINITION_FIELDS, input);
  const update = (input: Record<string, unknown>) => mutate(server, 'updateAccountDefinition', 'UpdateAccountDefinitionInput', DEFINITION_FIELDS, input);
  const remove = (id: string) => mutate(server, 'deleteAccountDefinition', 'DeleteAccountDefinitionInput', 'deletedAccountDefinitionId', { id });
  const setInitial = (tenant: string, accountDefinition: string | null) =>
    mutate(server, 'assignAccountDefinitionToTenant', 'AssignAccountDefinitionToTenantInput', 'tenant { name initialAccountDefinition { name } version }', {
      tenant,
      accountDefinition,
    });
  const definitionFor = (tenant: SyncedTenant, name: string, extra: Record<string, unknown> = {}) => ({
    tenant: tenant.tenantId,
    name,
    allowedManageLevels: [levels.unmanaged, levels.fullManaged],
    defaultManageLevel: levels.fullManaged,
    ...extra,
  });

  beforeAll(async () => {
    server = await startTestServer(kind);
    levels = await catalogIds(server);
    contoso = await synchronizedTenant(server, 'Contoso');
    fabrikam = await synchronizedTenant(server, 'Fabrikam', { offset: 10 });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('createManageLevel adds a level and rejects a taken name', async () => {
    const created = await mutate(server, 'createManageLevel', 'CreateManageLevelInput', 'manageLevel { name description inheritsGroups isBuiltIn }', {
      name: 'Read only',
      description: 'Linked, properties written back only by hand.',
      inheritsGroups: false,
    });
    expect(created).toEqual({ manageLevel: { name: 'Read only', description: 'Linked, properties written back only by hand.', inheritsGroups: false, isBuiltIn: false }, errors: [] });

    const taken = await mutate(server, 'createManageLevel', 'CreateManageLevelInput', 'manageLevel { name }', { name: 'unmanaged', inheritsGroups: false });
    expect(taken.errors).toMatchObject([{ code: 'ALREADY_EXISTS', path: ['input', 'name'] }]);
    const listed = await server.query(`{ manageLevels { name isBuiltIn } }`);
    expect(listed.manageLevels.map((level: any) => level.name)).toEqual(['Full managed', 'Unmanaged', 'Read only']);
  });

  test('createAccountDefinition stores levels and groups', async () => {
    const payload = await create(definitionFor(contoso, 'Exchange Online mail users', { description: 'Staff', groups: [contoso.ids.get('Contoso Sales')] }));
    expect(payload.errors).toEqual([]);
    expect(payload.accountDefinition).toMatchObject({
      name: 'Exchange Online mail users',
      description: 'Staff',
      version: 1,
      accountCount: 0,
      isInitial: false,
      tenant: { name: 'Contoso' },
      targetSystemType: { name: 'Exchange Online' },
      allowedManageLevels: expect.arrayContaining([{ name: 'Unmanaged' }, { name: 'Full managed' }]),
      defaultManageLevel: { name: 'Full managed' },
      groups: [{ displayName: 'Contoso Sales' }],
    });
    expect((await auditOf(server, 'accountDefinition.create')).at(-1)).toMatchObject({ outcome: 'SUCCEEDED' });
  });

  test('createAccountDefinition rejects invalid input', async () => {
    const cases: [Record<string, unknown>, string, string[]][] = [
      [definitionFor(contoso, 'Exchange Online mail users'), 'ALREADY_EXISTS', ['input', 'name']],
      [definitionFor(contoso, 'Contacts', { allowedManageLevels: [levels.unmanaged] }), 'INVALID_INPUT', ['input', 'defaultManageLevel']],
      [definitionFor(contoso, 'Contacts', { allowedManageLevels: [] }), 'INVALID_INPUT', ['input', 'allowedManageLevels']],
      [definitionFor(contoso, 'Contacts', { allowedManageLevels: [levels.unmanaged, 'TWFuYWdlTGV2ZWw6OTk5OQ=='] }), 'NOT_FOUND', ['input', 'allowedManageLevels']],
      [definitionFor(contoso, 'Contacts', { groups: [fabrikam.ids.get('Fabrikam Sales')] }), 'INVALID_INPUT', ['input', 'groups']],
      [definitionFor(contoso, 'Contacts', { name: '   ' }), 'INVALID_INPUT', ['input', 'name']],
    ];
    for (const [input, code, path] of cases) {
      const payload = await create(input);
      expect(payload.accountDefinition, JSON.stringify(input)).toBeNull();
      expect(payload.errors[0]).toMatchObject({ code, path });
    }
    const rejected = (await auditOf(server, 'accountDefinition.create')).filter((row) => row.outcome === 'REJECTED');
    expect(rejected).toHaveLength(cases.length);

    const wrongType = await server.graphql(`mutation ($input: CreateAccountDefinitionInput!) { createAccountDefinition(input: $input) { errors { code } } }`, {
      input: definitionFor(contoso, 'Contacts', { groups: [contoso.ids.get('Megan Bowen')] }),
    });
    expect(wrongType.errors?.[0]?.message).toContain('it is the ID of a MailUser, but the ID of a DistributionGroup or CustomObject is expected');
  });

  test('concurrent updates with one version: one wins, one conflicts', async () => {
    let definition = (await create(definitionFor(contoso, 'Exchange Online contacts', { defaultManageLevel: levels.unmanaged }))).accountDefinition;
    for (let round = 0; round < 3; round++) {
      const [first, second] = await Promise.all([
        update({ id: definition.id, version: definition.version, description: `first ${round}` }),
        update({ id: definition.id, version: definition.version, description: `second ${round}` }),
      ]);
      const winners = [first, second].filter((payload) => payload.errors.length === 0);
      const losers = [first, second].filter((payload) => payload.errors.length > 0);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      expect(losers[0].accountDefinition).toBeNull();
      expect(losers[0].errors[0].code).toBe('CONFLICT');
      expect(losers[0].errors[0].message).toContain(`based on version ${definition.version}, the current version is ${definition.version + 1}`);

      const stored = await server.query(`query ($id: ID!) { node(id: $id) { ... on AccountDefinition { description version } } }`, { id: definition.id });
      expect(stored.node).toEqual({ description: winners[0].accountDefinition.description, version: definition.version + 1 });
      definition = winners[0].accountDefinition;
    }
  });

  test('assignAccountDefinitionToTenant sets and clears the initial one', async () => {
    const definitions = await server.query(`query ($tenant: ID) { accountDefinitions(tenant: $tenant) { totalCount edges { node { id name } } } }`, { tenant: contoso.tenantId });
    expect(definitions.accountDefinitions.totalCount).toBe(2);
    const contacts = definitions.accountDefinitions.edges.find((edge: any) => edge.node.name === 'Exchange Online contacts').node.id;

    const set = await setInitial(contoso.tenantId, contacts);
    expect(set.errors).toEqual([]);
    expect(set.tenant.initialAccountDefinition).toEqual({ name: 'Exchange Online contacts' });

    const foreign = await setInitial(fabrikam.tenantId, contacts);
    expect(foreign.errors[0]).toMatchObject({ code: 'INVALID_INPUT', path: ['input', 'accountDefinition'] });
    expect(foreign.errors[0].message).toContain('belongs to another tenant');

    const cleared = await setInitial(contoso.tenantId, null);
    expect(cleared.tenant.initialAccountDefinition).toBeNull();
    expect((await auditOf(server, 'tenant.assignInitialAccountDefinition')).map((row) => row.outcome)).toEqual(['SUCCEEDED', 'REJECTED', 'SUCCEEDED']);
  });

  test('the initial account definition configures accounts of the next run', async () => {
    const sync = new SyncClient(server);
    const mailUsers = await server.query(`query ($tenant: ID) { accountDefinitions(tenant: $tenant) { edges { node { id name } } } }`, { tenant: contoso.tenantId });
    const definition = mailUsers.accountDefinitions.edges.find((edge: any) => edge.node.name === 'Exchange Online mail users').node.id;
    expect((await setInitial(contoso.tenantId, definition)).errors).toEqual([]);

    const users = [0, 1, 2, 3, 4].map((n) => mailUser(n));
    const run = await sync.run('Contoso', {
      'MailUser.json': json(users),
      'MailContact.csv': csv([mailContact(0), mailContact(1)]),
      'DistributionGroup.json': json([group(1, 'Contoso Sales'), group(2, 'Contoso Partners')]),
      'DistributionGroupMember.csv': csv([member(1, users[0]!), member(1, users[1]!), member(2, mailContact(0))]),
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.counts.identitiesCreated).toBe(1);

    const states = await accountStates(server, contoso.tenantId);
    expect(states.get('Grady Archie')).toBe('LINKED_CONFIGURED');
    expect(states.get('Megan Bowen')).toBe('LINKED');
    const account = await server.query(`query ($filter: AccountFilter) { accounts(filter: $filter) { edges { node { displayName ... on MailUser { accountDefinition { name } manageLevel { name } } } } } }`, {
      filter: { tenant: contoso.tenantId, linkState: 'LINKED_CONFIGURED' },
    });
    expect(account.accounts.edges.map((edge: any) => edge.node)).toEqual([
      { displayName: 'Grady Archie', accountDefinition: { name: 'Exchange Online mail users' }, manageLevel: { name: 'Full managed' } },
    ]);
    expect(await indirectMemberships(server)).toEqual(['Contoso Sales <- Grady Archie']);
  });

  test('updateAccountDefinition recomputes inherited memberships', async () => {
    const listed = await server.query(`query ($tenant: ID) { accountDefinitions(tenant: $tenant) { edges { node { id name version } } } }`, { tenant: contoso.tenantId });
    const definition = listed.accountDefinitions.edges.find((edge: any) => edge.node.name === 'Exchange Online mail users').node;

    const moved = await update({ id: definition.id, version: definition.version, groups: [contoso.ids.get('Contoso Partners')] });
    expect(moved.errors).toEqual([]);
    expect(moved.accountDefinition.groups).toEqual([{ displayName: 'Contoso Partners' }]);
    expect(await indirectMemberships(server)).toEqual(['Contoso Partners <- Grady Archie']);

    const narrowed = await update({ id: definition.id, version: definition.version + 1, allowedManageLevels: [levels.unmanaged], defaultManageLevel: levels.unmanaged });
    expect(narrowed.errors[0]).toMatchObject({ code: 'IN_USE', path: ['input', 'allowedManageLevels'] });
    expect(narrowed.errors[0].message).toContain('1 at Full managed');
  });

  test('deleteAccountDefinition is refused while in use', async () => {
    const listed = await server.query(`query ($tenant: ID) { accountDefinitions(tenant: $tenant) { edges { node { id name accountCount isInitial } } } }`, { tenant: contoso.tenantId });
    const byName = new Map(listed.accountDefinitions.edges.map((edge: any) => [edge.node.name, edge.node]));
    const mailUsers = byName.get('Exchange Online mail users') as any;
    const contacts = byName.get('Exchange Online contacts') as any;
    expect(mailUsers).toMatchObject({ accountCount: 1, isInitial: true });

    const used = await remove(mailUsers.id);
    expect(used.deletedAccountDefinitionId).toBeNull();
    expect(used.errors[0].code).toBe('IN_USE');
    expect(used.errors[0].message).toContain('1 account(s) use it');

    const initial = await setInitial(contoso.tenantId, contacts.id);
    expect(initial.errors).toEqual([]);
    const isInitial = await remove(contacts.id);
    expect(isInitial.errors[0].message).toContain('it is the initial account definition of tenant Contoso');

    await setInitial(contoso.tenantId, null);
    const deleted = await remove(contacts.id);
    expect(deleted).toEqual({ deletedAccountDefinitionId: contacts.id, errors: [] });
    expect((await auditOf(server, 'accountDefinition.delete')).map((row) => row.outcome)).toEqual(['REJECTED', 'REJECTED', 'SUCCEEDED']);
  });

  test('accountDefinitions pages by name', async () => {
    await create(definitionFor(fabrikam, 'A definition'));
    const first = await server.query(`{ accountDefinitions(first: 1) { totalCount edges { node { name } } pageInfo { hasNextPage endCursor } } }`);
    expect(first.accountDefinitions.totalCount).toBe(2);
    expect(first.accountDefinitions.edges.map((edge: any) => edge.node.name)).toEqual(['A definition']);
    const next = await server.query(`query ($after: String) { accountDefinitions(first: 5, after: $after) { edges { node { name } } pageInfo { hasNextPage } } }`, {
      after: first.accountDefinitions.pageInfo.endCursor,
    });
    expect(next.accountDefinitions.edges.map((edge: any) => edge.node.name)).toEqual(['Exchange Online mail users']);
    expect(next.accountDefinitions.pageInfo.hasNextPage).toBe(false);
  });

  test('an operator may not change account definitions', async () => {
    const token = await server.createToken('operator');
    const result = await server.graphql(
      `mutation ($input: CreateAccountDefinitionInput!) { createAccountDefinition(input: $input) { errors { code } } }`,
      { input: definitionFor(contoso, 'Operators') },
      { token },
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  test('a tenant-limited admin changes only its tenant', async () => {
    const token = await server.createToken('admin', ['Fabrikam']);
    const own = await server.graphql(
      `mutation ($input: CreateAccountDefinitionInput!) { createAccountDefinition(input: $input) { accountDefinition { name } errors { code } } }`,
      { input: definitionFor(fabrikam, 'Fabrikam contacts') },
      { token },
    );
    expect(own.data.createAccountDefinition).toEqual({ accountDefinition: { name: 'Fabrikam contacts' }, errors: [] });

    const other = await server.graphql(
      `mutation ($input: CreateAccountDefinitionInput!) { createAccountDefinition(input: $input) { accountDefinition { name } errors { code path } } }`,
      { input: definitionFor(contoso, 'Contoso contacts') },
      { token },
    );
    expect(other.data.createAccountDefinition.errors).toEqual([{ code: 'NOT_FOUND', path: ['input', 'tenant'] }]);

    const shared = await server.graphql(
      `mutation ($input: CreateManageLevelInput!) { createManageLevel(input: $input) { errors { code } } }`,
      { input: { name: 'Partly managed', inheritsGroups: false } },
      { token },
    );
    expect(shared.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
