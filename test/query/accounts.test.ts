import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKinds } from '../support/databases.ts';
import {
  globalId,
  insertAccountDefinition,
  insertIdentity,
  insertMembership,
  insertObject,
  insertTenant,
  syncTable,
  type TenantFixture,
} from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ACCOUNTS = `query($filter: AccountFilter, $first: Int, $after: String, $last: Int, $before: String) {
  accounts(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
    edges { node { displayName ... on Account { linkState identity { displayName } accountDefinition { name } manageLevel { name } } } }
  }
}`;

describe.each(testDatabaseKinds())('accounts and identities on %s', (kind) => {
  let server: TestServer;
  let contoso: TenantFixture;
  let fabrikam: TenantFixture;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer(kind);
    const db = server.server.runtime.services.db;
    contoso = await insertTenant(db);
    fabrikam = await insertTenant(db);
    const { definition, manageLevels } = await insertAccountDefinition(db, contoso, { name: 'Contoso staff' });
    const full = manageLevels.find((level) => level.name === 'Full managed')!;
    const annIdentity = await insertIdentity(db, contoso, 'Ann (identity)');
    const bobIdentity = await insertIdentity(db, contoso, 'Bob (identity)');
    const danaIdentity = await insertIdentity(db, contoso, 'Dana (identity)');
    const eveIdentity = await insertIdentity(db, fabrikam, 'Eve (identity)');

    await insertObject(db, contoso, { table: 'MailUser', displayName: 'Carl (not linked)' });
    await insertObject(db, contoso, { table: 'MailUser', displayName: 'Ann (linked)', identityId: annIdentity.id });
    const bob = await insertObject(db, contoso, {
      table: 'MailUser',
      displayName: 'Bob (configured)',
      identityId: bobIdentity.id,
      accountDefinitionId: definition.id,
      manageLevelId: full.id,
    });
    await insertObject(db, contoso, { table: 'MailContact', displayName: 'Dana (linked, outstanding)', identityId: danaIdentity.id, outstanding: true });
    await insertObject(db, fabrikam, { table: 'MailUser', displayName: 'Eve (linked)', identityId: eveIdentity.id });
    const group = await insertObject(db, contoso, { table: 'DistributionGroup', displayName: 'Group (not an account)' });
    await insertMembership(db, contoso, group, bob, { isIndirect: true });

    Object.assign(ids, {
      contoso: globalId('Tenant', contoso.tenant.id),
      fabrikam: globalId('Tenant', fabrikam.tenant.id),
      definition: globalId('AccountDefinition', definition.id),
      full: globalId('ManageLevel', full.id),
      contacts: globalId('SyncTable', (await syncTable(db, 'MailContact')).id),
      annIdentity: globalId('Identity', annIdentity.id),
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function names(filter: Record<string, unknown> | null) {
    const data = await server.query(ACCOUNTS, { filter, first: 100 });
    expect(data.accounts.totalCount).toBe(data.accounts.edges.length);
    return data.accounts.edges.map((edge: any) => edge.node.displayName);
  }

  test('lists accounts only, oldest first', async () => {
    expect(await names(null)).toEqual(['Carl (not linked)', 'Ann (linked)', 'Bob (configured)', 'Dana (linked, outstanding)', 'Eve (linked)']);
  });

  test('lists the linked but not configured accounts of a tenant', async () => {
    expect(await names({ tenant: ids.contoso, linkState: 'LINKED' })).toEqual(['Ann (linked)', 'Dana (linked, outstanding)']);
    expect(await names({ linkState: 'LINKED' })).toEqual(['Ann (linked)', 'Dana (linked, outstanding)', 'Eve (linked)']);
    expect(await names({ linkState: 'NOT_LINKED' })).toEqual(['Carl (not linked)']);
  });

  test('filters by account definition, manage level, table and outstanding mark', async () => {
    expect(await names({ accountDefinition: ids.definition })).toEqual(['Bob (configured)']);
    expect(await names({ manageLevel: ids.full, linkState: 'LINKED_CONFIGURED' })).toEqual(['Bob (configured)']);
    expect(await names({ table: ids.contacts })).toEqual(['Dana (linked, outstanding)']);
    expect(await names({ outstanding: true })).toEqual(['Dana (linked, outstanding)']);
    expect(await names({ outstanding: false, tenant: ids.fabrikam })).toEqual(['Eve (linked)']);
  });

  test('shows link state, identity, account definition and manage level', async () => {
    const data = await server.query(ACCOUNTS, { filter: { tenant: ids.contoso }, first: 3 });
    expect(data.accounts.edges.map((edge: any) => edge.node)).toEqual([
      { displayName: 'Carl (not linked)', linkState: 'NOT_LINKED', identity: null, accountDefinition: null, manageLevel: null },
      { displayName: 'Ann (linked)', linkState: 'LINKED', identity: { displayName: 'Ann (identity)' }, accountDefinition: null, manageLevel: null },
      {
        displayName: 'Bob (configured)',
        linkState: 'LINKED_CONFIGURED',
        identity: { displayName: 'Bob (identity)' },
        accountDefinition: { name: 'Contoso staff' },
        manageLevel: { name: 'Full managed' },
      },
    ]);
  });

  test('pages forwards and backwards', async () => {
    const first = await server.query(ACCOUNTS, { first: 2 });
    const second = await server.query(ACCOUNTS, { first: 2, after: first.accounts.pageInfo.endCursor });
    expect(second.accounts.edges.map((edge: any) => edge.node.displayName)).toEqual(['Bob (configured)', 'Dana (linked, outstanding)']);
    const back = await server.query(ACCOUNTS, { last: 2, before: second.accounts.pageInfo.startCursor });
    expect(back.accounts.edges.map((edge: any) => edge.node.displayName)).toEqual(['Carl (not linked)', 'Ann (linked)']);
    expect(back.accounts.pageInfo.hasPreviousPage).toBe(false);
  });

  test('lists identities with their accounts', async () => {
    const data = await server.query(`query($tenant: ID) { identities(tenant: $tenant) { totalCount edges { node { id displayName tenant { name } accounts { displayName } } } } }`, {
      tenant: ids.contoso,
    });
    expect(data.identities.totalCount).toBe(3);
    expect(data.identities.edges[0].node).toEqual({
      id: ids.annIdentity,
      displayName: 'Ann (identity)',
      tenant: { name: contoso.tenant.name },
      accounts: [{ displayName: 'Ann (linked)' }],
    });
  });

  test('rejects unknown and wrong-type filter IDs', async () => {
    const unknown = await server.graphql(ACCOUNTS, { filter: { tenant: globalId('Tenant', 987_654) } });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(unknown.errors?.[0]?.message).toContain('Unknown tenant in filter.tenant: no tenant has the id 987654');
    const wrongType = await server.graphql(ACCOUNTS, { filter: { accountDefinition: ids.contoso } });
    expect(wrongType.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(wrongType.errors?.[0]?.message).toContain('it is the ID of a Tenant, but the ID of a AccountDefinition is expected');
    const badState = await server.graphql(ACCOUNTS, { filter: { linkState: 'HALF_LINKED' } });
    expect(badState.errors?.[0]?.message).toContain('Value "HALF_LINKED" does not exist in "LinkState" enum');
  });
});
