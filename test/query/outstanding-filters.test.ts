import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKinds } from '../support/databases.ts';
import { globalId, syncTable } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { day, seedDataset, type Dataset, type SeededObject } from './dataset.ts';

const LIST = `query($filter: OutstandingObjectFilter, $orderBy: OutstandingObjectOrder, $first: Int) {
  outstandingObjects(filter: $filter, orderBy: $orderBy, first: $first) {
    totalCount
    edges { node { id displayName } }
  }
}`;

describe.each(testDatabaseKinds())('outstanding list filters and orders on %s', (kind) => {
  let server: TestServer;
  let data: Dataset;

  beforeAll(async () => {
    server = await startTestServer(kind);
    data = await seedDataset(server.server.runtime.services.db);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function list(filter: Record<string, unknown> | null, orderBy?: Record<string, unknown>) {
    const result = await server.query(LIST, { filter, orderBy, first: 100 });
    const names: string[] = result.outstandingObjects.edges.map((edge: any) => edge.node.displayName);
    expect(result.outstandingObjects.totalCount).toBe(names.length);
    return names;
  }

  const names = (objects: SeededObject[]) => objects.map((object) => object.row.displayName).sort();
  const where = (predicate: (object: SeededObject) => boolean) => names(data.outstanding.filter(predicate));

  test('lists every outstanding object and nothing else', async () => {
    expect((await list(null)).sort()).toEqual(names(data.outstanding));
    expect(await list(null)).not.toContain('Carl Young');
  });

  test('filters by table', async () => {
    const mailUser = await syncTable(server.server.runtime.services.db, 'MailUser');
    const filter = { tables: [globalId('SyncTable', mailUser.id), globalId('SyncTable', data.custom.id)] };
    expect((await list(filter)).sort()).toEqual(where((object) => object.table === 'MailUser' || object.table === data.custom.name));
  });

  test('filters by target system type', async () => {
    const types = await server.query('{ targetSystemTypes { edges { node { id } } } }');
    const typeId = types.targetSystemTypes.edges[0].node.id;
    expect((await list({ targetSystemTypes: [typeId] })).sort()).toEqual(names(data.outstanding));
  });

  test('filters by tenant', async () => {
    const filter = { tenants: [globalId('Tenant', data.fabrikam.tenant.id)] };
    expect((await list(filter)).sort()).toEqual(where((object) => object.tenant === 'fabrikam'));
  });

  test('filters by object kind', async () => {
    expect((await list({ objectKinds: ['MEMBERSHIP', 'CUSTOM'] })).sort()).toEqual(where((object) => ['MEMBERSHIP', 'CUSTOM'].includes(object.kind)));
  });

  test('filters by marked date range', async () => {
    const filter = { markedFrom: day(3).toISOString(), markedBefore: day(6).toISOString() };
    expect((await list(filter)).sort()).toEqual(where((object) => object.markedAt! >= day(3) && object.markedAt! < day(6)));
  });

  test('filters by last method run', async () => {
    expect((await list({ lastMethodRun: ['MARK_OUTSTANDING'] })).sort()).toEqual(where((object) => object.lastMethod === 'MARK_OUTSTANDING'));
    expect((await list({ lastMethodRun: ['UPDATE', 'INSERT'] })).sort()).toEqual(['Dana Ross-Müller']);
  });

  test('filters by presence of a log entry', async () => {
    expect((await list({ hasLogEntry: true })).sort()).toEqual(where((object) => object.lastLogAt !== null));
    expect((await list({ hasLogEntry: false })).sort()).toEqual(where((object) => object.lastLogAt === null));
  });

  test('searches word prefixes ignoring case', async () => {
    expect((await list({ search: 'ann' })).sort()).toEqual(['Ann Lee', 'Ann Lee in Marketing']);
    expect(await list({ search: 'ann marketing' })).toEqual(['Ann Lee in Marketing']);
    expect(await list({ search: 'MÜL' })).toEqual(['Dana Ross-Müller']);
    expect((await list({ search: 'sales te' })).sort()).toEqual(['Carl Young in Sales Team', 'Sales Team']);
    expect(await list({ search: 'ross dana' })).toEqual(['Dana Ross-Müller']);
    expect(await list({ search: 'ee' })).toEqual([]);
    expect(await list({ search: "o'brien & | !" })).toEqual([]);
  });

  test('combines filters', async () => {
    const filter = { tenants: [globalId('Tenant', data.contoso.tenant.id)], objectKinds: ['MAIL_USER'], hasLogEntry: true };
    expect(await list(filter)).toEqual(['Ann Lee']);
  });

  test('an empty id list matches nothing', async () => {
    expect(await list({ tables: [] })).toEqual([]);
  });

  test('orders by marked date both ways', async () => {
    const byMarked = [...data.outstanding].sort((a, b) => a.markedAt!.getTime() - b.markedAt!.getTime() || a.row.id - b.row.id);
    const ascending = byMarked.map((object) => object.row.displayName);
    expect(await list(null, { field: 'MARKED_AT', direction: 'ASC' })).toEqual(ascending);
    expect(await list(null, { field: 'MARKED_AT', direction: 'DESC' })).toEqual([...ascending].reverse());
    expect(await list(null)).toEqual([...ascending].reverse());
  });

  test('orders by display name ignoring case', async () => {
    const ascending = [...data.outstanding]
      .sort((a, b) => (a.row.displayName.toLowerCase() < b.row.displayName.toLowerCase() ? -1 : 1))
      .map((object) => object.row.displayName);
    expect(ascending.indexOf('bob Stone')).toBeLessThan(ascending.indexOf('Carl Young in Sales Team'));
    expect(await list(null, { field: 'DISPLAY_NAME', direction: 'ASC' })).toEqual(ascending);
    expect(await list(null, { field: 'DISPLAY_NAME', direction: 'DESC' })).toEqual([...ascending].reverse());
  });

  test('orders by last log entry with objects without one first', async () => {
    const key = (object: SeededObject) => object.lastLogAt?.getTime() ?? Number.NEGATIVE_INFINITY;
    const ascending = [...data.outstanding].sort((a, b) => key(a) - key(b) || a.row.id - b.row.id).map((object) => object.row.displayName);
    expect(await list(null, { field: 'LAST_LOG_ENTRY', direction: 'ASC' })).toEqual(ascending);
    expect(await list(null, { field: 'LAST_LOG_ENTRY', direction: 'DESC' })).toEqual([...ascending].reverse());
  });

  test('table and type fields list the same objects as their counts', async () => {
    const result = await server.query(`{
      targetSystemTypes { edges { node {
        outstandingCount
        outstandingObjects(first: 1) { totalCount }
        syncTables(first: 10) { edges { node { name outstandingCount outstandingObjects(first: 20, filter: { hasLogEntry: true }) { totalCount edges { node { displayName } } } } } }
      } } }
    }`);
    const type = result.targetSystemTypes.edges[0].node;
    expect(type.outstandingObjects.totalCount).toBe(data.outstanding.length);
    expect(type.outstandingCount).toBe(data.outstanding.length);
    for (const { node: table } of type.syncTables.edges) {
      const expected = where((object) => object.table === table.name && object.lastLogAt !== null);
      expect(table.outstandingCount).toBe(data.outstanding.filter((object) => object.table === table.name).length);
      expect(table.outstandingObjects.edges.map((edge: any) => edge.node.displayName).sort()).toEqual(expected);
    }
  });
});
