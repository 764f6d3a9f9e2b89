import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKinds } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SyncClient, csv, json, mailContact, mailUser } from '../synchronization/support.ts';
import { auditOf, catalogIds, mutate } from './support.ts';

const TABLE_FIELDS = `syncTable { id name displayName kind isCustom missingAction version guard { maxCount maxPercent minTableSize }
  containerTable { name } memberTable { name } assignedTo { name } publishingEnabled }`;
const ASSIGNMENT_FIELDS = 'targetSystemType { name } syncTables { name publishingEnabled assignedTo { name } }';

describe.each(testDatabaseKinds())('synchronization tables on %s', (kind) => {
  let server: TestServer;
  let sync: SyncClient;
  let exchangeOnline: string;
  const tableIds = new Map<string, string>();

  const createTable = (input: Record<string, unknown>) => mutate(server, 'createSyncTable', 'CreateSyncTableInput', TABLE_FIELDS, input);
  const assign = (tables: string[]) =>
    mutate(server, 'assignSyncTables', 'AssignSyncTablesInput', ASSIGNMENT_FIELDS, { targetSystemType: exchangeOnline, syncTables: tables.map((name) => tableIds.get(name)) });
  const unassign = (tables: string[], force?: boolean) =>
    mutate(server, 'unassignSyncTables', 'UnassignSyncTablesInput', ASSIGNMENT_FIELDS, {
      targetSystemType: exchangeOnline,
      syncTables: tables.map((name) => tableIds.get(name)),
      ...(force === undefined ? {} : { force }),
    });
  const publishing = (settings: [string, boolean][]) =>
    mutate(server, 'configureTablesForPublishing', 'ConfigureTablesForPublishingInput', ASSIGNMENT_FIELDS, {
      targetSystemType: exchangeOnline,
      settings: settings.map(([name, publishingEnabled]) => ({ syncTable: tableIds.get(name), publishingEnabled })),
    });
  const table = async (name: string) =>
    (await server.query(`query ($id: ID!) { node(id: $id) { ... on SyncTable { name outstandingCount assignedTo { name } publishingEnabled } } }`, { id: tableIds.get(name) })).node;

  beforeAll(async () => {
    server = await startTestServer(kind);
    sync = new SyncClient(server);
    exchangeOnline = (await catalogIds(server)).exchangeOnline;
    const data = await server.query(`{ syncTables { edges { node { id name } } } }`);
    for (const edge of data.syncTables.edges) tableIds.set(edge.node.name, edge.node.id);
  });
  afterAll(async () => {
    await server?.close();
  });

  test('syncTables lists the built-in tables with their settings', async () => {
    const data = await server.query(`{ syncTables { totalCount edges { node { name missingAction guard { maxCount maxPercent minTableSize } containerTable { name } assignedTo { name } publishingEnabled } } } }`);
    expect(data.syncTables.totalCount).toBe(4);
    const members = data.syncTables.edges.find((edge: any) => edge.node.name === 'DistributionGroupMember').node;
    expect(members).toEqual({
      name: 'DistributionGroupMember',
      missingAction: 'MARK_OUTSTANDING',
      guard: { maxCount: 500, maxPercent: 30, minTableSize: 20 },
      containerTable: { name: 'DistributionGroup' },
      assignedTo: [{ name: 'Exchange Online' }],
      publishingEnabled: false,
    });
  });

  test('createSyncTable defines custom object and assignment tables', async () => {
    const rooms = await createTable({ name: 'Room', displayName: 'Meeting rooms', kind: 'OBJECT', guard: { maxCount: 10 } });
    expect(rooms.errors).toEqual([]);
    expect(rooms.syncTable).toMatchObject({
      name: 'Room',
      kind: 'OBJECT',
      isCustom: true,
      missingAction: 'MARK_OUTSTANDING',
      guard: { maxCount: 10, maxPercent: 30, minTableSize: 20 },
      assignedTo: [],
      publishingEnabled: false,
    });
    tableIds.set('Room', rooms.syncTable.id);

    const delegates = await createTable({
      name: 'RoomDelegate',
      displayName: 'Room delegates',
      kind: 'ASSIGNMENT',
      containerTable: tableIds.get('Room'),
      memberTable: tableIds.get('MailUser'),
      missingAction: 'DELETE',
    });
    expect(delegates.errors).toEqual([]);
    expect(delegates.syncTable).toMatchObject({ kind: 'ASSIGNMENT', containerTable: { name: 'Room' }, memberTable: { name: 'MailUser' }, missingAction: 'DELETE' });
    tableIds.set('RoomDelegate', delegates.syncTable.id);
    expect((await auditOf(server, 'syncTable.create')).map((row) => row.outcome)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  });

  test('createSyncTable rejects invalid definitions', async () => {
    const cases: [Record<string, unknown>, string, string[]][] = [
      [{ name: '1Rooms', displayName: 'x', kind: 'OBJECT' }, 'INVALID_INPUT', ['input', 'name']],
      [{ name: 'Room-List', displayName: 'x', kind: 'OBJECT' }, 'INVALID_INPUT', ['input', 'name']],
      [{ name: 'mailuser', displayName: 'x', kind: 'OBJECT' }, 'ALREADY_EXISTS', ['input', 'name']],
      [{ name: 'Equipment', displayName: '  ', kind: 'OBJECT' }, 'INVALID_INPUT', ['input', 'displayName']],
      [{ name: 'Equipment', displayName: 'x', kind: 'ASSIGNMENT' }, 'INVALID_INPUT', ['input', 'containerTable']],
      [{ name: 'Equipment', displayName: 'x', kind: 'OBJECT', containerTable: 'U3luY1RhYmxlOjE=' }, 'INVALID_INPUT', ['input', 'containerTable']],
      [{ name: 'Equipment', displayName: 'x', kind: 'OBJECT', guard: { maxPercent: 150 } }, 'INVALID_INPUT', ['input', 'guard', 'maxPercent']],
    ];
    for (const [input, code, path] of cases) {
      const payload = await createTable(input);
      expect(payload.syncTable, JSON.stringify(input)).toBeNull();
      expect(payload.errors[0]).toMatchObject({ code, path });
    }
    const viaAssignment = await createTable({ name: 'Equipment', displayName: 'x', kind: 'ASSIGNMENT', containerTable: tableIds.get('DistributionGroupMember') });
    expect(viaAssignment.errors[0].message).toContain('DistributionGroupMember is an assignment table');
  });

  test('updateSyncTable changes run settings once per version', async () => {
    const first = await mutate(server, 'updateSyncTable', 'UpdateSyncTableInput', TABLE_FIELDS, {
      id: tableIds.get('Room'),
      version: 1,
      displayName: 'Rooms',
      guard: { maxPercent: 50 },
    });
    expect(first.errors).toEqual([]);
    expect(first.syncTable).toMatchObject({ displayName: 'Rooms', version: 2, guard: { maxCount: 10, maxPercent: 50, minTableSize: 20 } });

    const stale = await mutate(server, 'updateSyncTable', 'UpdateSyncTableInput', TABLE_FIELDS, { id: tableIds.get('Room'), version: 1, missingAction: 'DELETE' });
    expect(stale.errors[0].code).toBe('CONFLICT');
    expect(stale.errors[0].message).toContain('based on version 1, the current version is 2');
  });

  test('assignSyncTables needs the container table of a member list', async () => {
    const alone = await assign(['RoomDelegate']);
    expect(alone.errors[0]).toMatchObject({ code: 'INVALID_INPUT' });
    expect(alone.errors[0].message).toContain('Table RoomDelegate lists members of table Room, which is not assigned to Exchange Online');

    const both = await assign(['Room', 'RoomDelegate']);
    expect(both.errors).toEqual([]);
    expect(both.syncTables.map((entry: any) => entry.assignedTo)).toEqual([[{ name: 'Exchange Online' }], [{ name: 'Exchange Online' }]]);
    const type = await server.query(`{ targetSystemTypes { edges { node { syncTables { totalCount } } } } }`);
    expect(type.targetSystemTypes.edges[0].node.syncTables.totalCount).toBe(6);
  });

  test('publishing flags follow configureTablesForPublishing', async () => {
    const tenantId = await sync.createTenant('Contoso', 'contoso.com');
    const contacts = [mailContact(1), mailContact(2), mailContact(3)];
    await sync.run('Contoso', { 'MailContact.csv': csv(contacts), 'MailUser.json': json([mailUser(1)]) });
    await sync.run('Contoso', { 'MailContact.csv': csv(contacts.slice(1)) });
    const constraint = async () => {
      const data = await server.query(
        `query ($filter: OutstandingObjectFilter) { outstandingObjects(filter: $filter) { edges { node { displayName outstanding { constraints { method allowed reasons { code } } } } } } }`,
        { filter: { tenants: [tenantId] } },
      );
      const publish = data.outstandingObjects.edges[0].node.outstanding.constraints.find((entry: any) => entry.method === 'PUBLISH');
      return publish.reasons.map((reason: any) => reason.code);
    };
    expect(await constraint()).toContain('TABLE_NOT_PUBLISHABLE');

    const enabled = await publishing([['MailContact', true], ['Room', true]]);
    expect(enabled.errors).toEqual([]);
    expect(enabled.syncTables.map((entry: any) => entry.publishingEnabled)).toEqual([true, true]);
    expect(await constraint()).not.toContain('TABLE_NOT_PUBLISHABLE');
    const asked = await server.query(`query ($id: ID!, $type: ID) { node(id: $id) { ... on SyncTable { publishingEnabled(targetSystemType: $type) } } }`, {
      id: tableIds.get('MailContact'),
      type: exchangeOnline,
    });
    expect(asked.node.publishingEnabled).toBe(true);

    const disabled = await publishing([['MailContact', false]]);
    expect(disabled.syncTables[0].publishingEnabled).toBe(false);
    expect(await constraint()).toContain('TABLE_NOT_PUBLISHABLE');
    const audit = (await auditOf(server, 'syncTables.configurePublishing')).at(-1)!;
    expect(audit.details.changes).toEqual([{ table: 'MailContact', publishingEnabled: false, before: true }]);
  });

  test('configureTablesForPublishing rejects bad settings', async () => {
    const repeated = await publishing([['MailContact', true], ['MailContact', false]]);
    expect(repeated.errors[0]).toMatchObject({ code: 'INVALID_INPUT', path: ['input', 'settings'] });

    const equipment = await createTable({ name: 'Equipment', displayName: 'Equipment', kind: 'OBJECT' });
    tableIds.set('Equipment', equipment.syncTable.id);
    const unassigned = await publishing([['Equipment', true]]);
    expect(unassigned.errors[0]).toMatchObject({ code: 'NOT_ASSIGNED', path: ['input', 'settings', '0'] });
    expect(unassigned.errors[0].message).toContain('Table Equipment is not assigned to Exchange Online');
  });

  test('unassignSyncTables refuses tables with outstanding objects unless forced', async () => {
    const dependent = await unassign(['MailUser', 'DistributionGroup']);
    expect(dependent.errors[0].message).toContain('Table DistributionGroupMember lists members of table DistributionGroup');

    const refused = await unassign(['MailContact']);
    expect(refused.errors[0]).toMatchObject({ code: 'HAS_OUTSTANDING_OBJECTS', path: ['input', 'force'] });
    expect(refused.errors[0].message).toContain('1 outstanding object(s) remain (MailContact: 1)');
    expect((await table('MailContact')).assignedTo).toEqual([{ name: 'Exchange Online' }]);

    const typeCount = async () => (await server.query(`{ targetSystemTypes { edges { node { outstandingCount } } } }`)).targetSystemTypes.edges[0].node.outstandingCount;
    expect(await typeCount()).toBe(1);
    const forced = await unassign(['MailContact'], true);
    expect(forced.errors).toEqual([]);
    expect(await table('MailContact')).toMatchObject({ assignedTo: [], outstandingCount: 1 });
    expect(await typeCount()).toBe(0);
    const audit = (await auditOf(server, 'syncTables.unassign')).at(-1)!;
    expect(audit).toMatchObject({ outcome: 'SUCCEEDED', details: { force: true, outstandingKept: [{ name: 'MailContact', outstandingCount: 1 }] } });

    const notAssigned = await unassign(['MailContact']);
    expect(notAssigned.errors[0].code).toBe('NOT_ASSIGNED');
    expect((await assign(['MailContact'])).errors).toEqual([]);
    expect(await typeCount()).toBe(1);
  });

  test('custom table objects synchronize, get marked and are reworked', async () => {
    const room = (n: number) => ({ Guid: `5d0e4a7c-0000-4000-8000-00000000000${n}`, DisplayName: `Room ${n}`, Capacity: 4 + n });
    const first = await sync.run('Contoso', { 'Room.json': json([room(1), room(2)]) });
    expect(first.status).toBe('SUCCEEDED');
    expect(first.counts.inserted).toBe(2);

    await sync.run('Contoso', { 'Room.json': json([room(2)]) });
    const roomTable = await table('Room');
    expect(roomTable.outstandingCount).toBe(1);
    const listed = await server.query(`query ($id: ID!) { node(id: $id) { ... on SyncTable { outstandingObjects { edges { node { id __typename displayName properties } } } } } }`, {
      id: tableIds.get('Room'),
    });
    const marked = listed.node.outstandingObjects.edges[0].node;
    expect(marked).toMatchObject({ __typename: 'CustomObject', displayName: 'Room 1', properties: { Capacity: 5 } });

    const rework = await server.query(`mutation ($input: ReworkOutstandingObjectsInput!) { reworkOutstandingObjects(input: $input) { bulkOperation { id } errors { code message } } }`, {
      input: { method: 'RESET', objectIds: [marked.id] },
    });
    expect(rework.reworkOutstandingObjects.errors).toEqual([]);
    const operationId = rework.reworkOutstandingObjects.bulkOperation.id;
    for (let attempt = 0; attempt < 200; attempt++) {
      const state = await server.query(`query ($id: ID!) { node(id: $id) { ... on BulkOperation { status } } }`, { id: operationId });
      if (!['QUEUED', 'RUNNING'].includes(state.node.status)) {
        expect(state.node.status).toBe('SUCCEEDED');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await table('Room')).outstandingCount).toBe(0);
  });
});
