import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKinds } from '../support/databases.ts';
import type { TestServer } from '../support/server.ts';
import { countsOf, json, mailUser, SyncClient, startSyncServer } from './support.ts';

const allUsers = Array.from({ length: 25 }, (_, index) => mailUser(index + 1));
/** A truncated export: 9 of 25 users (36 %) are gone, more than the default 30 %. */
const truncated = allUsers.slice(0, 16);

describe.each(testDatabaseKinds())('synchronization guard on %s', (kind) => {
  let server: TestServer;
  let client: SyncClient;
  beforeAll(async () => {
    server = await startSyncServer(kind);
    client = new SyncClient(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  test('guard stops mass removal and changes nothing', async () => {
    await client.createTenant('Guarded', 'contoso.com');
    await client.run('Guarded', { 'MailUser.json': json(allUsers) });
    const before = await client.fingerprint();

    const run = await client.run('Guarded', { 'MailUser.json': json(truncated) });

    expect(run.status).toBe('FAILED');
    expect(run.problem).toMatchObject({
      kind: 'GUARD_TRIPPED',
      tables: [{ table: 'MailUser', wouldRemove: 9, tableSize: 25, percent: 36, maxCount: 500, maxPercent: 30, minTableSize: 20 }],
    });
    expect(run.statusReason).toContain('MailUser: 9 of 25 objects (36%');
    expect(run.statusReason).toContain('run it again with force');
    expect(run.counts.markedOutstanding).toBe(0);
    expect(await client.fingerprint()).toBe(before);
    expect(await client.logOfRun(run.id)).toEqual([]);
  });

  test('forced run passes the guard and records who forced it', async () => {
    await client.createTenant('Forced', 'contoso.com');
    await client.run('Forced', { 'MailUser.json': json(allUsers) });

    const run = await client.run('Forced', { 'MailUser.json': json(truncated) }, { force: true });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.forced).toBe(true);
    expect(run.forcedBy).toMatch(/^token:\d+:test-admin$/);
    expect(countsOf(run, 'MailUser')).toMatchObject({ markedOutstanding: 9, unchanged: 16 });

    const audit = await server.server.runtime.services.db.query.auditEvents.findMany();
    const forcedRuns = audit.filter((event) => event.action === 'synchronization.run' && (event.details as any).forcedBy === run.forcedBy);
    expect(forcedRuns).toHaveLength(1);
  });

  test('limits are configurable per table', async () => {
    await client.createTenant('Configured', 'contoso.com');
    await client.run('Configured', { 'MailUser.json': json(allUsers) });
    const table = await mailUserTable(server);

    await updateGuard(server, table, { maxPercent: 40 });
    try {
      const allowed = await client.run('Configured', { 'MailUser.json': json(allUsers.slice(0, 20)) });
      expect(allowed.status).toBe('SUCCEEDED');
      expect(countsOf(allowed, 'MailUser')).toMatchObject({ markedOutstanding: 5 });

      await updateGuard(server, await mailUserTable(server), { maxCount: 3 });
      const stopped = await client.run('Configured', { 'MailUser.json': json(allUsers.slice(0, 16)) });
      expect(stopped.status).toBe('FAILED');
      expect(stopped.problem.tables).toEqual([expect.objectContaining({ table: 'MailUser', wouldRemove: 4, tableSize: 20, maxCount: 3, maxPercent: 40 })]);
    } finally {
      await updateGuard(server, await mailUserTable(server), { maxCount: 500, maxPercent: 30 });
    }
  });

  test('small tables may lose any share', async () => {
    await client.createTenant('Small', 'contoso.com');
    await client.run('Small', { 'MailUser.json': json(allUsers.slice(0, 10)) });
    const run = await client.run('Small', { 'MailUser.json': json(allUsers.slice(0, 2)) });
    expect(run.status).toBe('SUCCEEDED');
    expect(countsOf(run, 'MailUser')).toMatchObject({ markedOutstanding: 8 });
  });
});

async function mailUserTable(server: TestServer): Promise<{ id: string; version: number }> {
  const tables = await server.query(`{ syncTables(first: 50) { edges { node { id name version } } } }`);
  return tables.syncTables.edges.map((edge: any) => edge.node).find((node: any) => node.name === 'MailUser');
}

async function updateGuard(server: TestServer, table: { id: string; version: number }, guard: Record<string, number>): Promise<void> {
  const data = await server.query(
    `mutation ($input: UpdateSyncTableInput!) { updateSyncTable(input: $input) { errors { code message } } }`,
    { input: { id: table.id, version: table.version, guard } },
  );
  expect(data.updateSyncTable.errors).toEqual([]);
}
