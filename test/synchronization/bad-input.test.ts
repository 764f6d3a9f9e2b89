import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKinds } from '../support/databases.ts';
import type { TestServer } from '../support/server.ts';
import { csv, group, json, mailContact, mailUser, member, SyncClient, upload, type SnapshotFiles, startSyncServer } from './support.ts';

const TENANT = 'Bad Input';

/**
 * Files that cannot be read, with where the error must point. Recognizing a file's table, before a
 * run is queued, reads its header and first row, and for JSON parses its first block of 1 MiB; a
 * fault found there rejects the request. A fault in a row's values fails the run.
 */
const unreadable: { name: string; files: SnapshotFiles; found: 'before the run' | 'in the run'; file: string; location?: string; field?: string; says: string }[] = [
  {
    name: 'invalid JSON',
    found: 'before the run',
    files: { 'MailUser.json': '[{"Guid": "3f2a1c4e-0000-4000-8000-000000000001", "DisplayName": }]' },
    file: 'MailUser.json',
    location: 'MailUser.json, $[0]',
    says: 'invalid JSON at line 1',
  },
  {
    name: 'truncated JSON',
    found: 'in the run',
    // A complete first element, then the export stops after a comma: every token is whole, only
    // the closing brackets are missing.
    files: { 'MailUser.json': '[{"Guid": "3f2a1c4e-0000-4000-8000-000000000001", "DisplayName": "Megan Bowen"}, {"Guid": "3f2a1c4e-0000-4000-8000-000000000002", "DisplayName": "Alex Wilber",' },
    file: 'MailUser.json',
    location: 'MailUser.json, $[1]',
    says: 'the file is truncated',
  },
  {
    name: 'CSV without its key column',
    found: 'before the run',
    files: { 'MailContact.csv': csv([mailContact(1)], ['Name', 'DisplayName', 'RecipientTypeDetails']) },
    file: 'MailContact.csv',
    field: 'Guid',
    says: 'has no column Guid',
  },
  {
    name: 'row without its key',
    found: 'in the run',
    files: { 'MailUser.json': json([mailUser(1), mailUser(2, { Guid: '' })]) },
    file: 'MailUser.json',
    location: 'MailUser.json, $[1]',
    field: 'Guid',
    says: 'the Guid is missing or empty',
  },
  {
    name: 'duplicate Guid',
    found: 'in the run',
    files: { 'MailContact.csv': csv([mailContact(1), mailContact(2), mailContact(1)]) },
    file: 'MailContact.csv',
    location: 'MailContact.csv, row 4',
    says: 'occurs twice in table MailContact',
  },
  {
    name: 'member row without GroupGuid value',
    found: 'in the run',
    files: { 'DistributionGroupMember.csv': csv([{ ...member(1, mailUser(1)), GroupGuid: '' }]) },
    file: 'DistributionGroupMember.csv',
    field: 'GroupGuid',
    says: 'GroupGuid is missing or empty',
  },
  {
    name: 'type name instead of values',
    found: 'in the run',
    files: { 'MailUser.csv': csv([{ ...mailUser(1), EmailAddresses: 'System.Object[]' }]) },
    file: 'MailUser.csv',
    location: 'MailUser.csv, row 2',
    field: 'EmailAddresses',
    says: '-join',
  },
  {
    name: 'date without culture',
    found: 'in the run',
    files: { 'DistributionGroup.csv': csv([{ ...group(1), WhenChanged: '04.11.2026 10:15:00' }]) },
    file: 'DistributionGroup.csv',
    field: 'WhenChanged',
    says: '--culture',
  },
];

describe.each(testDatabaseKinds())('synchronization bad input on %s', (kind) => {
  let server: TestServer;
  let client: SyncClient;
  beforeAll(async () => {
    server = await startSyncServer(kind);
    client = new SyncClient(server);
    await client.createTenant(TENANT, 'contoso.com');
    await client.run(TENANT, { 'MailUser.json': json([mailUser(1), mailUser(2)]), 'DistributionGroup.json': json([group(1)]) });
  });
  afterAll(async () => {
    await server?.close();
  });
  const runCount = async () => (await server.query(`{ synchronizationRuns { totalCount } }`)).synchronizationRuns.totalCount as number;

  test.each(unreadable)('$name is found $found', async ({ files, found, file, location, field, says }) => {
    const before = await client.fingerprint();
    const runsBefore = await runCount();
    const payload = await client.synchronize({ tenant: TENANT, files: Object.entries(files).map(([name, content]) => ({ name, content })) });

    if (found === 'before the run') {
      expect(payload.synchronizationRun).toBeNull();
      const error = payload.errors[0];
      expect(error).toMatchObject({ __typename: 'SnapshotInvalidError', code: 'SNAPSHOT_INVALID', file, path: ['input', 'files'] });
      if (location) expect(error.location).toBe(location);
      if (field) expect(error.field).toBe(field);
      expect(error.message).toContain(says);
      expect(error.message).toContain('No run was started.');
      expect(await runCount()).toBe(runsBefore);
    } else {
      expect(payload.errors).toEqual([]);
      const run = await client.waitFor(payload.synchronizationRun!.id);
      expect(run.status).toBe('FAILED');
      expect(run.problem.kind).toBe('SNAPSHOT_INVALID');
      expect(run.problem.file).toBe(file);
      if (location) expect(run.problem.location).toBe(location);
      if (field) expect(run.problem.field).toBe(field);
      expect(run.problem.message).toContain(says);
      expect(run.statusReason).toContain('Nothing was changed.');
    }
    expect(await client.fingerprint()).toBe(before);
  });


  test('undecodable bytes are rejected', async () => {
    const before = await client.fingerprint();
    const runsBefore = await runCount();
    // "Müller" in Windows-1252, which is not UTF-8.
    const bytes = Buffer.concat([Buffer.from('[{"Guid": "3f2a1c4e-0000-4000-8000-000000000001", "DisplayName": "M'), Buffer.from([0xfc]), Buffer.from('ller"}]')]);
    const uploaded = await upload(server, { 'MailUser.json': bytes });
    expect(uploaded.status).toBe(201);

    const payload = await client.synchronize({ tenant: TENANT, snapshotId: uploaded.body.id });
    expect(payload.synchronizationRun).toBeNull();
    expect(payload.errors[0]).toMatchObject({ __typename: 'SnapshotInvalidError', code: 'SNAPSHOT_INVALID', file: 'MailUser.json', path: ['input', 'snapshotId'] });
    expect(payload.errors[0].message).toContain('-Encoding');
    expect(await runCount()).toBe(runsBefore);
    expect(await client.fingerprint()).toBe(before);
  });

  test('BOM, UTF-16 and semicolons are read', async () => {
    const contacts = [mailContact(1), mailContact(2, { DisplayName: 'Geschäftspartner; Büro' })];
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json([mailUser(1), mailUser(2)]), 'utf16le')]);
    const uploaded = await upload(server, {
      'MailUser.json': utf16,
      'MailContact.csv': `\uFEFF${csv(contacts, undefined, ';')}`,
      'DistributionGroup.csv': csv([{ ...group(1), WhenChanged: '04.11.2026 10:15:00' }], undefined, ';'),
    });
    expect(uploaded.status).toBe(201);

    const payload = await client.synchronize({ tenant: TENANT, snapshotId: uploaded.body.id, culture: 'de-DE' });
    const run = await client.waitFor(payload.synchronizationRun!.id);
    expect(run.statusReason).toBeNull();
    expect(run.status).toBe('SUCCEEDED');
    expect(run.counts).toMatchObject({ inserted: 2, unchanged: 2, updated: 1 });
    const accounts = await client.accounts((await tenantId(server)));
    expect(accounts.get('Geschäftspartner; Büro')).toBeDefined();
  });

  test('unknown tenant says how to register it', async () => {
    const payload = await client.synchronize({ tenant: 'Fabrikam', files: [{ name: 'MailUser.json', content: '[]' }] });
    expect(payload.synchronizationRun).toBeNull();
    expect(payload.errors).toEqual([
      expect.objectContaining({ __typename: 'UnknownTenantError', code: 'UNKNOWN_TENANT', tenant: 'Fabrikam', path: ['input', 'tenant'] }),
    ]);
    expect(payload.errors[0].message).toContain('npx syncrework tenant create');
    expect(payload.errors[0].message).toContain('createTenant');
  });

  test('invalid requests are rejected before a run', async () => {
    const file = { name: 'MailUser.json', content: '[]' };
    const cases: [Record<string, unknown>, string, string[]][] = [
      [{ tenant: TENANT }, 'Pass exactly one snapshot', ['input', 'snapshotId']],
      [{ tenant: TENANT, files: [file], snapshotId: '00000000-0000-4000-8000-000000000000' }, 'Pass exactly one snapshot', ['input', 'snapshotId']],
      [{ files: [file] }, 'Pass exactly one of `tenant`', ['input', 'tenant']],
      [{ tenant: TENANT, files: [file], culture: 'xx-INVALID-culture' }, 'culture', ['input', 'culture']],
      [{ tenant: TENANT, files: [{ name: '../MailUser.json', content: '[]' }] }, 'Invalid snapshot file name "../MailUser.json"', ['input', 'files', '0', 'name']],
      [{ tenant: TENANT, files: [{ name: 'MailUser.xml', content: '' }] }, 'ending in .json or .csv', ['input', 'files', '0', 'name']],
      [{ tenant: TENANT, files: [file, file] }, 'two files named "MailUser.json"', ['input', 'files']],
      [{ tenant: TENANT, files: [] }, 'no files', ['input', 'files']],
      [{ tenant: TENANT, snapshotId: 'no-such-snapshot' }, 'Snapshot "no-such-snapshot" not found', ['input', 'snapshotId']],
    ];
    const before = await client.fingerprint();
    for (const [input, message, path] of cases) {
      const payload = await client.synchronize(input);
      expect(payload.synchronizationRun, JSON.stringify(input)).toBeNull();
      expect(payload.errors[0].message, JSON.stringify(input)).toContain(message);
      expect(payload.errors[0].path, JSON.stringify(input)).toEqual(path);
    }
    const runs = await server.query(`{ synchronizationRuns { totalCount } }`);
    expect(await client.fingerprint()).toBe(before);
    expect(runs.synchronizationRuns.totalCount).toBeGreaterThan(0);
  });

  test('tenant id of another type is rejected', async () => {
    const result = await server.graphql(
      `mutation ($input: SynchronizeInput!) { synchronize(input: $input) { errors { message } } }`,
      { input: { tenantId: 'U3luY2hyb25pemF0aW9uUnVuOjE=', files: [{ name: 'MailUser.json', content: '[]' }] } },
    );
    expect(result.errors?.[0]?.message).toContain('it is the ID of a SynchronizationRun, but the ID of a Tenant is expected');
  });
});

async function tenantId(server: TestServer): Promise<string> {
  const data = await server.query(`{ tenants(first: 50) { edges { node { id name } } } }`);
  return data.tenants.edges.find((edge: any) => edge.node.name === TENANT).node.id;
}
