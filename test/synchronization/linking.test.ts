import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKinds } from '../support/databases.ts';
import type { TestServer } from '../support/server.ts';
import { countsOf, csv, group, guid, json, mailContact, mailUser, member, SyncClient, startSyncServer } from './support.ts';

/** A room mailbox: distribution groups hold mailboxes, which Exchange Online mail-user exports do not list. */
const roomMailbox = { Guid: guid('mailbox', 1), Name: 'ConfRoomAdams', DisplayName: 'Conf Room Adams', RecipientTypeDetails: 'RoomMailbox' };

const UNRESOLVED_FIELDS = `totalCount edges { node { id groupKey memberKey groupFound memberDisplayName memberRecipientType table { name }
  firstSeenRun { id } lastSeenRun { id } } }`;

describe.each(testDatabaseKinds())('synchronization linking and references on %s', (kind) => {
  let server: TestServer;
  let client: SyncClient;
  beforeAll(async () => {
    server = await startSyncServer(kind);
    client = new SyncClient(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  test('new accounts stay LINKED without initial definition', async () => {
    const tenantId = await client.createTenant('Unconfigured', 'contoso.com');
    const contact = mailContact(1);
    delete contact.FirstName;
    const run = await client.run('Unconfigured', { 'MailUser.json': json([mailUser(1)]), 'MailContact.csv': csv([contact]) });

    expect(run.counts.identitiesCreated).toBe(2);
    const accounts = await client.accounts(tenantId);
    expect(accounts.get('Adele Vance')).toMatchObject({ linkState: 'LINKED', identity: { displayName: 'Adele Vance', firstName: 'Adele', lastName: 'Vance' } });
    expect(accounts.get('Partner 1 (tailspintoys.com)')).toMatchObject({ linkState: 'LINKED', identity: { displayName: 'Partner 1 (tailspintoys.com)' } });

    const again = await client.run('Unconfigured', { 'MailUser.json': json([mailUser(1), mailUser(2)]) });
    expect(again.counts.identitiesCreated).toBe(1);
  });

  test('initial definition configures new accounts', async () => {
    const tenantId = await client.createTenant('Configured', 'contoso.com');
    const levels = await server.query(`{ manageLevels { id name } }`);
    const fullManaged = levels.manageLevels.find((level: any) => level.name === 'Full managed').id;
    const created = await server.query(
      `mutation ($input: CreateAccountDefinitionInput!) { createAccountDefinition(input: $input) { accountDefinition { id } errors { message } } }`,
      { input: { tenant: tenantId, name: 'Exchange Online mail users', allowedManageLevels: [fullManaged], defaultManageLevel: fullManaged } },
    );
    expect(created.createAccountDefinition.errors).toEqual([]);
    const definitionId = created.createAccountDefinition.accountDefinition.id;
    const assigned = await server.query(
      `mutation ($input: AssignAccountDefinitionToTenantInput!) { assignAccountDefinitionToTenant(input: $input) { errors { message } } }`,
      { input: { tenant: tenantId, accountDefinition: definitionId } },
    );
    expect(assigned.assignAccountDefinitionToTenant.errors).toEqual([]);

    await client.run('Configured', { 'MailUser.json': json([mailUser(1), mailUser(2)]), 'MailContact.csv': csv([mailContact(1)]) });

    const accounts = await client.accounts(tenantId);
    expect([...accounts.values()].map((account) => account.linkState)).toEqual(['LINKED_CONFIGURED', 'LINKED_CONFIGURED', 'LINKED_CONFIGURED']);
    const configured = await server.query(`query ($filter: AccountFilter) { accounts(filter: $filter) { totalCount } }`, {
      filter: { tenant: tenantId, accountDefinition: definitionId, manageLevel: fullManaged },
    });
    expect(configured.accounts.totalCount).toBe(3);
  });

  test('unknown members are kept and listed', async () => {
    const tenantId = await client.createTenant('References', 'contoso.com');
    const run = await client.run('References', {
      'MailUser.json': json([mailUser(1)]),
      'DistributionGroup.json': json([group(1, 'Sales Team')]),
      'DistributionGroupMember.csv': csv([member(1, mailUser(1)), member(1, roomMailbox), member(2, mailUser(1))]),
    });

    expect(run.status).toBe('SUCCEEDED');
    expect(countsOf(run, 'DistributionGroupMember')).toMatchObject({ inserted: 1, unresolvedReferences: 2 });

    const listed = await server.query(`query ($tenant: ID) { unresolvedReferences(tenant: $tenant) { ${UNRESOLVED_FIELDS} } }`, { tenant: tenantId });
    expect(listed.unresolvedReferences.totalCount).toBe(2);
    const [mailbox, unknownGroup] = listed.unresolvedReferences.edges.map((edge: any) => edge.node);
    expect(mailbox).toMatchObject({
      groupKey: guid('group', 1),
      memberKey: guid('mailbox', 1),
      groupFound: true,
      memberDisplayName: 'Conf Room Adams',
      memberRecipientType: 'RoomMailbox',
      table: { name: 'DistributionGroupMember' },
      firstSeenRun: { id: run.id },
      lastSeenRun: { id: run.id },
    });
    expect(unknownGroup).toMatchObject({ groupKey: guid('group', 2), memberKey: guid('user', 1), groupFound: false });

    const node = await server.query(`query ($id: ID!) { node(id: $id) { ... on UnresolvedReference { memberKey } } }`, { id: mailbox.id });
    expect(node.node.memberKey).toBe(guid('mailbox', 1));
  });

  test('references resolve in later runs', async () => {
    const tenantId = await client.createTenant('Resolving', 'contoso.com');
    const members = csv([member(1, mailUser(1)), member(1, mailUser(2)), member(1, mailUser(3))]);
    await client.run('Resolving', {
      'MailUser.json': json([mailUser(1)]),
      'DistributionGroup.json': json([group(1, 'Sales Team')]),
      'DistributionGroupMember.csv': members,
    });

    // The member list again, now with user 2 exported: its reference becomes a membership.
    const second = await client.run('Resolving', { 'MailUser.json': json([mailUser(1), mailUser(2)]), 'DistributionGroupMember.csv': members });
    expect(countsOf(second, 'DistributionGroupMember')).toMatchObject({ inserted: 1, resolvedReferences: 1, unresolvedReferences: 1 });
    expect((await client.logOfRun(second.id)).map((entry) => `${entry.object}: ${entry.message}`)).toContain('Sales Team: Member added: Alex Wilber.');

    // Without a member list in the snapshot, user 3's reference resolves from the stored reference.
    const third = await client.run('Resolving', { 'MailUser.json': json([mailUser(1), mailUser(2), mailUser(3)]) });
    expect(countsOf(third, 'DistributionGroupMember')).toMatchObject({ inserted: 1, resolvedReferences: 1 });

    const remaining = await server.query(`query ($tenant: ID) { unresolvedReferences(tenant: $tenant) { totalCount } }`, { tenant: tenantId });
    expect(remaining.unresolvedReferences.totalCount).toBe(0);
    const groups = await server.query(`query ($filter: AccountFilter) { accounts(filter: $filter) { totalCount } }`, { filter: { tenant: tenantId } });
    expect(groups.accounts.totalCount).toBe(3);
  });

  test('references leave with their member row', async () => {
    const tenantId = await client.createTenant('Leaving', 'contoso.com');
    const files = { 'MailUser.json': json([mailUser(1)]), 'DistributionGroup.json': json([group(1)]) };
    await client.run('Leaving', { ...files, 'DistributionGroupMember.csv': csv([member(1, mailUser(1)), member(1, roomMailbox)]) });
    const listed = await server.query(`query ($tenant: ID) { unresolvedReferences(tenant: $tenant) { totalCount } }`, { tenant: tenantId });
    expect(listed.unresolvedReferences.totalCount).toBe(1);

    await client.run('Leaving', { ...files, 'DistributionGroupMember.csv': csv([member(1, mailUser(1))]) });
    const after = await server.query(`query ($tenant: ID) { unresolvedReferences(tenant: $tenant) { totalCount } }`, { tenant: tenantId });
    expect(after.unresolvedReferences.totalCount).toBe(0);
  });

  test('reference list filters by group', async () => {
    const tenantId = await client.createTenant('Filtering', 'contoso.com');
    await client.run('Filtering', {
      'DistributionGroup.json': json([group(1), group(2)]),
      'DistributionGroupMember.csv': csv([member(1, roomMailbox), member(2, roomMailbox), member(2, mailUser(9))]),
    });
    const accounts = await server.query(
      `query ($filter: AccountFilter) { accounts(filter: $filter) { totalCount } }`,
      { filter: { tenant: tenantId } },
    );
    expect(accounts.accounts.totalCount).toBe(0);

    const all = await server.query(`query ($tenant: ID) { unresolvedReferences(tenant: $tenant) { totalCount } }`, { tenant: tenantId });
    expect(all.unresolvedReferences.totalCount).toBe(3);
    const groupId = await groupIdByKey(server, tenantId, guid('group', 2));
    const ofGroup = await server.query(`query ($tenant: ID, $group: ID) { unresolvedReferences(tenant: $tenant, group: $group) { ${UNRESOLVED_FIELDS} } }`, {
      tenant: tenantId,
      group: groupId,
    });
    expect(ofGroup.unresolvedReferences.totalCount).toBe(2);
    expect(ofGroup.unresolvedReferences.edges.every((edge: any) => edge.node.groupKey === guid('group', 2))).toBe(true);

    const wrongType = await server.graphql(`query ($group: ID) { unresolvedReferences(group: $group) { totalCount } }`, { group: tenantId });
    expect(wrongType.errors?.[0]?.message).toContain('but the ID of a DistributionGroup is expected');
  });
});

/** Finds the ID of a group through the log of the tenant's runs. */
async function groupIdByKey(server: TestServer, tenantId: string, key: string): Promise<string> {
  const runs = await server.query(
    `query ($tenant: ID) { synchronizationRuns(tenant: $tenant) { edges { node { logEntries(first: 100) { edges { node { object { id key } } } } } } } }`,
    { tenant: tenantId },
  );
  const objects = runs.synchronizationRuns.edges.flatMap((run: any) => run.node.logEntries.edges.map((edge: any) => edge.node.object));
  return objects.find((object: any) => object.key === key).id;
}
