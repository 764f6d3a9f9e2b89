import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { purgeLogEntries } from '../../src/domain/log-retention.ts';
import { testDatabaseKinds } from '../support/databases.ts';
import type { TestServer } from '../support/server.ts';
import { countsOf, csv, group, guid, json, mailContact, mailUser, member, SyncClient, type SnapshotFiles, startSyncServer } from './support.ts';

const users = [mailUser(1), mailUser(2), mailUser(3)];
const contacts = [mailContact(1), mailContact(2)];
const groups = [group(1, 'Sales Team'), group(2, 'Mark 8 Project Team')];

/** Builds the first full export: three users, two contacts, two groups and their member lists. */
function firstExport(): SnapshotFiles {
  return {
    'MailUser.json': json(users),
    'MailContact.csv': csv(contacts),
    'DistributionGroup.json': json(groups),
    'DistributionGroupMember.csv': csv([member(1, users[0]!), member(1, contacts[0]!), member(2, users[1]!)]),
  };
}

/**
 * Builds a later export: user 1 renamed, user 2 gone, user 4 new and added to Sales Team, contact 1 left
 * Sales Team's member list, and Mark 8 Project Team (with user 2 as member) deleted.
 */
function laterExport(): SnapshotFiles {
  const renamed = mailUser(1, { DisplayName: 'Adele Vance (Sales)' });
  const added = mailUser(4);
  return {
    'MailUser.json': json([renamed, users[2]!, added]),
    'MailContact.csv': csv(contacts),
    'DistributionGroup.json': json([groups[0]!]),
    'DistributionGroupMember.csv': csv([member(1, renamed), member(1, added)]),
  };
}

const membershipKey = (groupNumber: number, recipientKey: unknown) => `${guid('group', groupNumber)}:${String(recipientKey)}`;

describe.each(testDatabaseKinds())('synchronization marking on %s', (kind) => {
  let server: TestServer;
  let client: SyncClient;
  beforeAll(async () => {
    server = await startSyncServer(kind);
    client = new SyncClient(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  test('first run inserts objects and logs them', async () => {
    await client.createTenant('First Run', 'contoso.com');
    const run = await client.run('First Run', firstExport());

    expect(run.status).toBe('SUCCEEDED');
    expect(run.counts).toMatchObject({ read: 10, inserted: 10, updated: 0, markedOutstanding: 0, identitiesCreated: 5 });
    expect(countsOf(run, 'MailUser')).toMatchObject({ inserted: 3 });
    expect(countsOf(run, 'DistributionGroupMember')).toMatchObject({ inserted: 3 });

    const log = await client.logOfRun(run.id);
    expect(log.filter((entry) => entry.method === 'INSERT')).toHaveLength(7);
    const memberEntries = log.filter((entry) => entry.memberKey !== null);
    expect(memberEntries.map((entry) => `${entry.object}: ${entry.message}`).sort()).toEqual([
      'Mark 8 Project Team: Member added: Alex Wilber.',
      'Sales Team: Member added: Adele Vance.',
      'Sales Team: Member added: Partner 1 (tailspintoys.com).',
    ]);
    expect(memberEntries.every((entry) => entry.method === 'UPDATE')).toBe(true);
  });

  test('later run updates, marks and logs each case', async () => {
    const tenantId = await client.createTenant('Later Run', 'contoso.com');
    await client.run('Later Run', firstExport());
    const run = await client.run('Later Run', laterExport());

    expect(run.status).toBe('SUCCEEDED');
    expect(countsOf(run, 'MailUser')).toMatchObject({ inserted: 1, updated: 1, unchanged: 1, markedOutstanding: 1 });
    expect(countsOf(run, 'DistributionGroup')).toMatchObject({ unchanged: 1, markedOutstanding: 1 });
    expect(countsOf(run, 'DistributionGroupMember')).toMatchObject({ inserted: 1, markedOutstanding: 2 });

    const log = await client.logOfRun(run.id);
    const lines = log.map((entry) => `${entry.method} ${entry.object}: ${entry.message}`);
    expect(lines).toContain('UPDATE Adele Vance (Sales): Changed in the target system: DisplayName.');
    expect(lines).toContain('MARK_OUTSTANDING Alex Wilber: Missing from the target system; marked outstanding.');
    expect(lines).toContain('MARK_OUTSTANDING Mark 8 Project Team: Missing from the target system; marked outstanding.');
    expect(lines).toContain('UPDATE Sales Team: Member removed: Partner 1 (tailspintoys.com).');
    expect(lines).toContain('UPDATE Sales Team: Member added: Grady Archie.');
    expect(log.find((entry) => entry.message.startsWith('Member removed'))!.memberKey).toBe(guid('contact', 1));

    const outstanding = await client.outstanding(tenantId);
    const byKey = new Map([...outstanding.values()].map((node) => [node.key, node]));
    expect(byKey.size).toBe(4);

    const vanishedUser = byKey.get(guid('user', 2))!;
    expect(vanishedUser.outstanding).toMatchObject({ cause: 'MISSING', lastMethodRun: 'MARK_OUTSTANDING', noLogReason: null });
    expect(vanishedUser.outstanding.lastLogEntry).not.toBeNull();

    const deletedGroup = byKey.get(guid('group', 2))!;
    expect(deletedGroup.outstanding).toMatchObject({ cause: 'MISSING', lastMethodRun: 'MARK_OUTSTANDING' });

    const removed = byKey.get(membershipKey(1, guid('contact', 1)))!;
    expect(removed.__typename).toBe('Membership');
    expect(removed.outstanding).toMatchObject({ cause: 'REMOVED_FROM_MEMBER_LIST', lastLogEntry: null, noLogReason: 'REMOVED_FROM_MEMBER_LIST' });

    const ofDeletedGroup = byKey.get(membershipKey(2, guid('user', 2)))!;
    expect(ofDeletedGroup.outstanding).toMatchObject({ cause: 'CONTAINER_DELETED', lastLogEntry: null, noLogReason: 'CONTAINER_DELETED' });
  });

  test('purged log shows LOG_DELETED', async () => {
    const tenantId = await client.createTenant('Purged Log', 'contoso.com');
    await client.run('Purged Log', firstExport());
    await client.run('Purged Log', laterExport());

    const db = server.server.runtime.services.db;
    await db.execute(sql`
      update log_entries set created_at = created_at - interval '100 days'
      where object_id in (select o.id from objects o join tenants t on t.id = o.tenant_id where t.name = 'Purged Log' and o.key = ${guid('user', 2)})`);
    const purged = await purgeLogEntries(db, 90);
    expect(purged.entriesDeleted).toBe(2);

    const vanishedUser = [...(await client.outstanding(tenantId)).values()].find((node) => node.key === guid('user', 2))!;
    expect(vanishedUser.outstanding).toMatchObject({ lastLogEntry: null, lastMethodRun: null, noLogReason: 'LOG_DELETED' });
  });

  test('same snapshot twice changes nothing', async () => {
    await client.createTenant('Idempotent', 'contoso.com');
    const files = laterExport();
    await client.run('Idempotent', files);
    const before = await client.fingerprint();

    const again = await client.run('Idempotent', files);
    expect(again.status).toBe('SUCCEEDED');
    expect(again.counts).toMatchObject({ inserted: 0, updated: 0, markedOutstanding: 0, deleted: 0, unchanged: 8, identitiesCreated: 0 });
    expect(await client.logOfRun(again.id)).toEqual([]);
    expect(await client.fingerprint()).toBe(before);
  });

  test('outstanding objects are skipped', async () => {
    const tenantId = await client.createTenant('Skips Frozen', 'contoso.com');
    await client.run('Skips Frozen', firstExport());
    await client.run('Skips Frozen', laterExport());

    // User 2 and contact 1's membership are back in the target system, user 2 even renamed:
    // both stay outstanding and unchanged until reworked.
    const files = laterExport();
    files['MailUser.json'] = json([mailUser(1, { DisplayName: 'Adele Vance (Sales)' }), users[2]!, mailUser(4), mailUser(2, { DisplayName: 'Alex Wilber (back)' })]);
    files['DistributionGroupMember.csv'] = csv([member(1, users[0]!), member(1, mailUser(4)), member(1, contacts[0]!)]);
    const run = await client.run('Skips Frozen', files);

    expect(run.status).toBe('SUCCEEDED');
    expect(countsOf(run, 'MailUser')).toMatchObject({ skippedOutstanding: 1, updated: 0, inserted: 0 });
    expect(countsOf(run, 'DistributionGroupMember')).toMatchObject({ skippedOutstanding: 1, inserted: 0 });
    const outstanding = [...(await client.outstanding(tenantId)).values()];
    expect(outstanding.find((node) => node.key === guid('user', 2))!.displayName).toBe('Alex Wilber');
    expect(outstanding.find((node) => node.key === membershipKey(1, guid('contact', 1)))).toBeDefined();
  });

  test('pending provisioning is not marked', async () => {
    const tenantId = await client.createTenant('Pending', 'contoso.com');
    await client.run('Pending', firstExport());
    // As a Publish leaves it: the object was sent to the target system and the job has not finished.
    await server.server.runtime.services.db.execute(sql`
      update objects set provisioning_status = 'PENDING'
      where key = ${guid('user', 3)} and tenant_id = (select id from tenants where name = 'Pending')`);

    const files = firstExport();
    files['MailUser.json'] = json([users[0]!, users[1]!]);
    const run = await client.run('Pending', files);

    expect(countsOf(run, 'MailUser')).toMatchObject({ skippedPending: 1, markedOutstanding: 0 });
    expect([...(await client.outstanding(tenantId)).values()].map((node) => node.key)).toEqual([]);
  });

  test('absent file leaves table alone; empty file covers it', async () => {
    const tenantId = await client.createTenant('Coverage', 'contoso.com');
    await client.run('Coverage', firstExport());

    const contactsOnly = await client.run('Coverage', { 'MailContact.csv': csv([contacts[0]!]) });
    expect(contactsOnly.tableCounts.map((entry) => entry.tableName)).toEqual(['MailContact']);
    expect(countsOf(contactsOnly, 'MailContact')).toMatchObject({ unchanged: 1, markedOutstanding: 1 });

    const emptyUsers = await client.run('Coverage', { 'MailUser.json': '' });
    expect(emptyUsers.status).toBe('SUCCEEDED');
    expect(countsOf(emptyUsers, 'MailUser')).toMatchObject({ markedOutstanding: 3 });

    const outstanding = [...(await client.outstanding(tenantId)).values()];
    expect(outstanding.filter((node) => node.table.name === 'MailUser')).toHaveLength(3);
    expect(outstanding.filter((node) => node.table.name === 'DistributionGroup')).toHaveLength(0);
    expect(outstanding.filter((node) => node.table.name === 'DistributionGroupMember')).toHaveLength(0);
  });

  test('table set to delete removes missing objects', async () => {
    const tenantId = await client.createTenant('Deletes', 'contoso.com');
    await client.run('Deletes', firstExport());
    const contactTable = await setMissingAction(server, 'MailContact', 'DELETE');
    try {
      const files = firstExport();
      files['MailContact.csv'] = csv([contacts[1]!]);
      const run = await client.run('Deletes', files);

      expect(countsOf(run, 'MailContact')).toMatchObject({ deleted: 1, markedOutstanding: 0 });
      expect(countsOf(run, 'DistributionGroupMember')).toMatchObject({ deleted: 1 });
      const accounts = await client.accounts(tenantId);
      expect([...accounts.values()].filter((node) => node.__typename === 'MailContact').map((node) => node.key)).toEqual([guid('contact', 2)]);
      expect(await client.outstanding(tenantId)).toEqual(new Map());
    } finally {
      await setMissingAction(server, 'MailContact', 'MARK_OUTSTANDING', contactTable);
    }
  });
});

async function setMissingAction(server: TestServer, tableName: string, missingAction: string, known?: { id: string }): Promise<{ id: string }> {
  const tables = await server.query(`{ syncTables(first: 50) { edges { node { id name version } } } }`);
  const table = tables.syncTables.edges.map((edge: any) => edge.node).find((node: any) => node.name === tableName);
  const data = await server.query(
    `mutation ($input: UpdateSyncTableInput!) { updateSyncTable(input: $input) { errors { code message } } }`,
    { input: { id: known?.id ?? table.id, version: table.version, missingAction } },
  );
  expect(data.updateSyncTable.errors).toEqual([]);
  return { id: table.id };
}
