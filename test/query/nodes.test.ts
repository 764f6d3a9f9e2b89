import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { synchronizationRuns } from '../../src/db/schema.ts';
import { testDatabaseKinds } from '../support/databases.ts';
import { globalId, insertCustomTable, insertIdentity, insertMembership, insertObject, insertTenant, syncTable, type TenantFixture } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const NODE = `query($id: ID!) { node(id: $id) { __typename id } }`;

describe.each(testDatabaseKinds())('node lookup on %s', (kind) => {
  let server: TestServer;
  let owner: TenantFixture;
  let other: TenantFixture;
  /** An existing ID for each type the fixtures can create. */
  const existing: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer(kind);
    const db = server.server.runtime.services.db;
    owner = await insertTenant(db);
    other = await insertTenant(db);
    const user = await insertObject(db, owner, { table: 'MailUser', outstanding: true });
    const contact = await insertObject(db, owner, { table: 'MailContact' });
    const group = await insertObject(db, owner, { table: 'DistributionGroup' });
    const membership = await insertMembership(db, owner, group, user);
    const custom = await insertObject(db, owner, { table: await insertCustomTable(db) });
    const identity = await insertIdentity(db, owner);
    const [run] = await db
      .insert(synchronizationRuns)
      .values({ tenantId: owner.tenant.id, targetSystemId: owner.targetSystem.id, requestedBy: 'test', source: {}, status: 'SUCCEEDED' })
      .returning();
    const mailUserTable = await syncTable(db, 'MailUser');
    const types = await server.query('{ targetSystemTypes { edges { node { id } } } }');

    Object.assign(existing, {
      Tenant: globalId('Tenant', owner.tenant.id),
      TargetSystem: globalId('TargetSystem', owner.targetSystem.id),
      TargetSystemType: types.targetSystemTypes.edges[0].node.id,
      SyncTable: globalId('SyncTable', mailUserTable.id),
      SynchronizationRun: globalId('SynchronizationRun', run!.id),
      MailUser: globalId('MailUser', user.id),
      MailContact: globalId('MailContact', contact.id),
      DistributionGroup: globalId('DistributionGroup', group.id),
      Membership: globalId('Membership', membership.id),
      CustomObject: globalId('CustomObject', custom.id),
      Identity: globalId('Identity', identity.id),
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function nodeTypeNames(): Promise<string[]> {
    const data = await server.query('{ __schema { types { name kind interfaces { name } } } }');
    return data.__schema.types
      .filter((type: any) => type.kind === 'OBJECT' && type.interfaces.some((implemented: any) => implemented.name === 'Node'))
      .map((type: any) => type.name);
  }

  test('resolves an existing object of each type', async () => {
    for (const [typename, id] of Object.entries(existing)) {
      const data = await server.query(NODE, { id });
      expect(data.node, typename).toEqual({ __typename: typename, id });
    }
  });

  test('every node type answers an unknown ID with NOT_FOUND', async () => {
    const names = await nodeTypeNames();
    expect(names).toEqual(expect.arrayContaining(Object.keys(existing)));
    for (const typename of names) {
      const id = globalId(typename, 987_654_321);
      const result = await server.graphql(NODE, { id });
      expect(result.data?.node, typename).toBeNull();
      expect(result.errors?.[0]?.extensions?.code, `${typename}: ${result.errors?.[0]?.message}`).toBe('NOT_FOUND');
      expect(result.errors?.[0]?.message).toContain(typename);
    }
  });

  test('every node type answers a malformed ID with a client error', async () => {
    for (const typename of await nodeTypeNames()) {
      const result = await server.graphql(NODE, { id: Buffer.from(`${typename}:not-a-number`).toString('base64') });
      expect(result.data?.node ?? null, typename).toBeNull();
      expect(['BAD_USER_INPUT', 'NOT_FOUND'], `${typename}: ${result.errors?.[0]?.message}`).toContain(result.errors?.[0]?.extensions?.code);
    }
  });

  test('rejects IDs that are not from this API', async () => {
    for (const id of ['', '!!!', Buffer.from('NoSuchType:1').toString('base64'), Buffer.from('MailUser').toString('base64')]) {
      const result = await server.graphql(NODE, { id });
      expect(result.data?.node ?? null, id).toBeNull();
      expect(result.errors?.[0]?.extensions?.code, id).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message, id).toContain('Invalid ID');
    }
  });

  test('an ID of the wrong kind of object is not found', async () => {
    const contactDatabaseId = Buffer.from(existing.MailContact!, 'base64').toString('utf8').split(':')[1];
    const result = await server.graphql(NODE, { id: Buffer.from(`MailUser:${contactDatabaseId}`).toString('base64') });
    expect(result.data?.node).toBeNull();
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  test('nodes answers each ID on its own', async () => {
    const ids = [existing.MailUser, globalId('Membership', 987_654_321), Buffer.from('NoSuchType:1').toString('base64'), existing.Tenant];
    const result = await server.graphql(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, { ids });
    expect(result.data?.nodes).toEqual([{ __typename: 'MailUser', id: existing.MailUser }, null, null, { __typename: 'Tenant', id: existing.Tenant }]);
    expect(result.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['nodes', 1], 'NOT_FOUND'],
      [['nodes', 2], 'BAD_USER_INPUT'],
    ]);
  });

  test('a token limited to another tenant sees none of the objects', async () => {
    const token = await server.createToken('viewer', [other.tenant.name]);
    const result = await server.graphql(NODE, { id: existing.MailUser }, { token });
    expect(result.data?.node).toBeNull();
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const list = await server.query('{ outstandingObjects { totalCount } accounts { totalCount } }', {}, { token });
    expect(list).toEqual({ outstandingObjects: { totalCount: 0 }, accounts: { totalCount: 0 } });
  });
});
