import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { synchronizationRuns } from '../../src/db/schema.ts';
import { testDatabaseKinds } from '../support/databases.ts';
import { globalId, insertIdentity, insertLogEntry, insertMembership, insertObject, insertTenant, type ObjectRow } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const MAIL_USER_PROPERTIES = {
  Guid: '5f2b7e0c-8f5d-4d2a-9c55-0e6f3b1a2c01',
  ExchangeGuid: '00000000-0000-0000-0000-000000000000',
  ExternalDirectoryObjectId: '9a1b2c3d-0000-4000-8000-000000000001',
  Alias: 'ann.lee',
  Name: 'Ann Lee',
  DisplayName: 'Ann Lee',
  FirstName: 'Ann',
  LastName: 'Lee',
  PrimarySmtpAddress: 'ann.lee@contoso.com',
  ExternalEmailAddress: 'SMTP:ann.lee@fabrikam.com',
  EmailAddresses: ['SMTP:ann.lee@contoso.com', 'smtp:ann@contoso.onmicrosoft.com'],
  RecipientTypeDetails: 'MailUser',
  HiddenFromAddressListsEnabled: true,
  WhenChanged: '2026-11-04T10:15:00.000Z',
  CustomAttribute1: 'cost center 42',
};

const SHOW = `query($id: ID!, $first: Int, $after: String) {
  node(id: $id) {
    __typename
    ... on TargetSystemObject {
      displayName key guid properties table { name } tenant { name } targetSystem { name } targetSystemType { name }
      provisioning { status message updatedAt }
      logEntries(first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { node { at method message memberKey member { __typename displayName } synchronizationRun { id } object { displayName } } }
      }
    }
    ... on Recipient { exchangeGuid externalDirectoryObjectId alias name primarySmtpAddress emailAddresses recipientTypeDetails hiddenFromAddressListsEnabled whenChanged }
    ... on Account { firstName lastName externalEmailAddress linkState identity { displayName accounts { id } } }
    ... on Membership {
      isIndirect
      container { __typename displayName ... on DistributionGroup { logEntries(first: 5) { totalCount } } }
      member { __typename displayName ... on Membership { id } ... on MailUser { alias } }
    }
  }
}`;

describe.each(testDatabaseKinds())('show object on %s', (kind) => {
  let server: TestServer;
  let user: ObjectRow;
  let group: ObjectRow;
  let membership: ObjectRow;
  let runId: number;

  beforeAll(async () => {
    server = await startTestServer(kind);
    const db = server.server.runtime.services.db;
    const owner = await insertTenant(db);
    const identity = await insertIdentity(db, owner, 'Ann Lee (person)');
    user = await insertObject(db, owner, {
      table: 'MailUser',
      key: MAIL_USER_PROPERTIES.Guid,
      displayName: 'Ann Lee',
      properties: MAIL_USER_PROPERTIES,
      identityId: identity.id,
      provisioning: { status: 'FAILED', message: 'Throttled by Exchange Online' },
    });
    group = await insertObject(db, owner, { table: 'DistributionGroup', displayName: 'Sales', outstanding: true, properties: { Guid: 'g', Alias: 7 } });
    membership = await insertMembership(db, owner, group, user, { outstanding: true, cause: 'REMOVED_FROM_MEMBER_LIST' });
    const [run] = await db
      .insert(synchronizationRuns)
      .values({ tenantId: owner.tenant.id, targetSystemId: owner.targetSystem.id, requestedBy: 'test', source: {}, status: 'SUCCEEDED' })
      .returning();
    runId = run!.id;

    for (let day = 1; day <= 5; day++) {
      await insertLogEntry(db, user, { method: 'UPDATE', at: new Date(Date.UTC(2026, 0, day)), synchronizationRunId: runId });
    }
    await insertLogEntry(db, group, { method: 'UPDATE', message: 'Member added: Ann Lee.', memberKey: user.key, at: new Date(Date.UTC(2026, 0, 2)) });
    await insertLogEntry(db, group, { method: 'UPDATE', message: 'Member removed: Ann Lee.', memberKey: user.key, at: new Date(Date.UTC(2026, 0, 3)) });
    await insertLogEntry(db, group, { method: 'UPDATE', message: 'Member removed: someone gone.', memberKey: 'gone', at: new Date(Date.UTC(2026, 0, 4)) });
  });
  afterAll(async () => {
    await server?.close();
  });

  const show = async (id: string, first = 10, after: string | null = null) => (await server.query(SHOW, { id, first, after })).node;

  test('shows typed and raw properties of a mail user', async () => {
    const node = await show(globalId('MailUser', user.id));
    expect(node).toMatchObject({
      __typename: 'MailUser',
      displayName: 'Ann Lee',
      key: MAIL_USER_PROPERTIES.Guid,
      guid: MAIL_USER_PROPERTIES.Guid,
      exchangeGuid: MAIL_USER_PROPERTIES.ExchangeGuid,
      externalDirectoryObjectId: MAIL_USER_PROPERTIES.ExternalDirectoryObjectId,
      alias: 'ann.lee',
      name: 'Ann Lee',
      primarySmtpAddress: 'ann.lee@contoso.com',
      emailAddresses: MAIL_USER_PROPERTIES.EmailAddresses,
      recipientTypeDetails: 'MailUser',
      hiddenFromAddressListsEnabled: true,
      whenChanged: '2026-11-04T10:15:00.000Z',
      firstName: 'Ann',
      lastName: 'Lee',
      externalEmailAddress: 'SMTP:ann.lee@fabrikam.com',
      linkState: 'LINKED',
      table: { name: 'MailUser' },
      targetSystemType: { name: 'Exchange Online' },
    });
    expect(node.properties).toEqual(MAIL_USER_PROPERTIES);
    expect(node.identity).toEqual({ displayName: 'Ann Lee (person)', accounts: [{ id: globalId('MailUser', user.id) }] });
    expect(node.provisioning.status).toBe('FAILED');
    expect(node.provisioning.message).toBe('Throttled by Exchange Online');
  });

  test('a property of an unexpected shape reads as null', async () => {
    const node = await show(globalId('DistributionGroup', group.id));
    expect(node.alias).toBe('7');
    expect(node.primarySmtpAddress).toBeNull();
    expect(node.emailAddresses).toBeNull();
    expect(node.provisioning).toBeNull();
  });

  test('pages through the log newest first', async () => {
    const id = globalId('MailUser', user.id);
    const first = await show(id, 2);
    expect(first.logEntries.totalCount).toBe(5);
    expect(first.logEntries.edges.map((edge: any) => edge.node.at)).toEqual(['2026-01-05T00:00:00.000Z', '2026-01-04T00:00:00.000Z']);
    expect(first.logEntries.edges[0].node.synchronizationRun).toEqual({ id: globalId('SynchronizationRun', runId) });
    const second = await show(id, 10, first.logEntries.pageInfo.endCursor);
    expect(second.logEntries.edges.map((edge: any) => edge.node.at)).toEqual(['2026-01-03T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-01T00:00:00.000Z']);
    expect(second.logEntries.pageInfo.hasNextPage).toBe(false);
  });

  test('a container entry names its member object while it exists', async () => {
    const node = await show(globalId('DistributionGroup', group.id));
    const entries = node.logEntries.edges.map((edge: any) => edge.node);
    expect(entries.map((entry: any) => entry.message)).toEqual(['Member removed: someone gone.', 'Member removed: Ann Lee.', 'Member added: Ann Lee.']);
    expect(entries[0].member).toBeNull();
    expect(entries[1].member).toEqual({ __typename: 'MailUser', displayName: 'Ann Lee' });
    expect(entries[1].object).toEqual({ displayName: 'Sales' });
  });

  test('a membership shows both sides and its entries on the container', async () => {
    const node = await show(globalId('Membership', membership.id));
    expect(node.__typename).toBe('Membership');
    expect(node.isIndirect).toBe(false);
    expect(node.container).toEqual({ __typename: 'DistributionGroup', displayName: 'Sales', logEntries: { totalCount: 3 } });
    expect(node.member).toEqual({ __typename: 'MailUser', displayName: 'Ann Lee', alias: 'ann.lee' });
    expect(node.logEntries.totalCount).toBe(2);
    expect(node.logEntries.edges.map((edge: any) => edge.node.message)).toEqual(['Member removed: Ann Lee.', 'Member added: Ann Lee.']);
  });

  test('rejects a malformed log cursor', async () => {
    const result = await server.graphql(SHOW, { id: globalId('MailUser', user.id), first: 1, after: 'bm9wZQ' });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toContain('Invalid cursor');
  });
});
