import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKinds } from '../support/databases.ts';
import { globalId, insertObject } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { day, seedDataset, type Dataset } from './dataset.ts';

const PAGE = `query($filter: OutstandingObjectFilter, $orderBy: OutstandingObjectOrder, $first: Int, $after: String, $last: Int, $before: String) {
  outstandingObjects(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { displayName } }
  }
}`;

const ORDERS = ['MARKED_AT', 'DISPLAY_NAME', 'LAST_LOG_ENTRY'].flatMap((field) => ['ASC', 'DESC'].map((direction) => ({ field, direction })));

describe.each(testDatabaseKinds())('outstanding list pages on %s', (kind) => {
  let server: TestServer;
  let data: Dataset;

  beforeAll(async () => {
    server = await startTestServer(kind);
    data = await seedDataset(server.server.runtime.services.db);
  });
  afterAll(async () => {
    await server?.close();
  });

  const db = () => server.server.runtime.services.db;
  const contosoOnly = () => ({ tenants: [globalId('Tenant', data.contoso.tenant.id)] });
  const page = async (variables: Record<string, unknown>) => (await server.query(PAGE, variables)).outstandingObjects;
  const namesOf = (connection: any): string[] => connection.edges.map((edge: any) => edge.node.displayName);

  async function walkForward(orderBy: object, filter: object, size: number) {
    const names: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 50; guard++) {
      const connection = await page({ filter, orderBy, first: size, after });
      names.push(...namesOf(connection));
      expect(connection.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!connection.pageInfo.hasNextPage) return names;
      after = connection.pageInfo.endCursor;
    }
    throw new Error('pagination did not end');
  }

  async function walkBackward(orderBy: object, filter: object, size: number) {
    const names: string[] = [];
    let before: string | null = null;
    for (let guard = 0; guard < 50; guard++) {
      const connection = await page({ filter, orderBy, last: size, before });
      names.unshift(...namesOf(connection));
      expect(connection.pageInfo.hasNextPage).toBe(before !== null);
      if (!connection.pageInfo.hasPreviousPage) return names;
      before = connection.pageInfo.startCursor;
    }
    throw new Error('pagination did not end');
  }

  test.each(ORDERS)('pages forwards and backwards by $field $direction', async (orderBy) => {
    const all = namesOf(await page({ filter: null, orderBy, first: 100 }));
    expect(all).toHaveLength(data.outstanding.length);
    expect(await walkForward(orderBy, {}, 2)).toEqual(all);
    expect(await walkBackward(orderBy, {}, 2)).toEqual(all);
    expect(await walkForward(orderBy, {}, 1)).toEqual(all);
  });

  test('pages with a filter keep the filter', async () => {
    const orderBy = { field: 'DISPLAY_NAME', direction: 'ASC' };
    const all = namesOf(await page({ filter: contosoOnly(), orderBy, first: 100 }));
    expect(all.length).toBeGreaterThan(2);
    expect(await walkForward(orderBy, contosoOnly(), 2)).toEqual(all);
    expect(await walkBackward(orderBy, contosoOnly(), 3)).toEqual(all);
  });

  test('cursors stay stable while rows are added', async () => {
    const orderBy = { field: 'MARKED_AT', direction: 'ASC' };
    const filter = contosoOnly();
    const before = namesOf(await page({ filter, orderBy, first: 100 }));
    const first = await page({ filter, orderBy, first: 3 });

    // One object sorts before the cursor, one ties with it (the larger id goes after), one after all.
    const cursorRow = data.byName(namesOf(first).at(-1)!);
    await insertObject(db(), data.contoso, { table: 'MailUser', displayName: 'New Earliest', outstanding: day(0) });
    await insertObject(db(), data.contoso, { table: 'MailUser', displayName: 'New Tie', outstanding: cursorRow.markedAt! });
    await insertObject(db(), data.contoso, { table: 'MailUser', displayName: 'New Latest', outstanding: day(30) });

    const rest = await walkForwardFrom(orderBy, filter, first.pageInfo.endCursor);
    expect([...namesOf(first), ...rest]).toEqual([...before.slice(0, 3), ...insertAfterTies(before.slice(3), cursorRow.markedAt!), 'New Latest']);
    expect(rest).not.toContain('New Earliest');

    const back = await page({ filter, orderBy, last: 2, before: first.pageInfo.startCursor });
    expect(namesOf(back)).toEqual(['New Earliest']);
    expect(back.pageInfo.hasPreviousPage).toBe(false);
  });

  async function walkForwardFrom(orderBy: object, filter: object, cursor: string) {
    const names: string[] = [];
    let after: string | null = cursor;
    while (after) {
      const connection = await page({ filter, orderBy, first: 2, after });
      names.push(...namesOf(connection));
      after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
    }
    return names;
  }

  /** Places 'New Tie' in the expected tail: after the objects marked at the same time, before later ones. */
  function insertAfterTies(tail: string[], tieTime: Date): string[] {
    const index = tail.findIndex((name) => data.byName(name).markedAt!.getTime() > tieTime.getTime());
    return index === -1 ? [...tail, 'New Tie'] : [...tail.slice(0, index), 'New Tie', ...tail.slice(index)];
  }

  test('cursors keep microseconds of the marked time', async () => {
    const owner = data.fabrikam;
    const a = await insertObject(db(), owner, { table: 'MailContact', displayName: 'Micro A', outstanding: day(40) });
    const b = await insertObject(db(), owner, { table: 'MailContact', displayName: 'Micro B', outstanding: day(40) });
    await db().execute(sql`update objects set outstanding_since = '2026-02-09 08:00:00.000700+00' where id = ${a.id}`);
    await db().execute(sql`update objects set outstanding_since = '2026-02-09 08:00:00.000300+00' where id = ${b.id}`);

    const filter = { tenants: [globalId('Tenant', owner.tenant.id)], markedFrom: '2026-02-01T00:00:00Z' };
    const names = await walkForward({ field: 'MARKED_AT', direction: 'ASC' }, filter, 1);
    expect(names).toEqual(['Micro B', 'Micro A']);
  });

  describe('bad input', () => {
    async function errorOf(variables: Record<string, unknown>) {
      const result = await server.graphql(PAGE, variables);
      expect(result.data?.outstandingObjects ?? null).toBeNull();
      expect(result.errors).toHaveLength(1);
      return result.errors![0]!;
    }

    test('rejects a negative or oversized page size', async () => {
      const negative = await errorOf({ first: -1 });
      expect(negative.extensions?.code).toBe('BAD_USER_INPUT');
      expect(negative.message).toContain('Invalid `first`: -1');
      const oversized = await errorOf({ last: 501 });
      expect(oversized.message).toContain('Invalid `last`: 501');
    });

    test('rejects a malformed cursor', async () => {
      const error = await errorOf({ first: 2, after: 'not-a-cursor' });
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.message).toContain('Invalid cursor "not-a-cursor" in `after`');
    });

    test('rejects a cursor of another order', async () => {
      const byName = await page({ orderBy: { field: 'DISPLAY_NAME', direction: 'ASC' }, first: 1 });
      const error = await errorOf({ first: 2, after: byName.pageInfo.endCursor });
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.message).toContain('The cursor was made for the order DISPLAY_NAME:ASC, but this request sorts by MARKED_AT:DESC');
    });

    test('rejects an unknown table, tenant or type', async () => {
      const table = await errorOf({ first: 1, filter: { tables: [globalId('SyncTable', 987654)] } });
      expect(table.extensions?.code).toBe('NOT_FOUND');
      expect(table.message).toContain(`Unknown synchronization table in filter.tables: no synchronization table has the ID ${globalId('SyncTable', 987654)}`);
      expect(table.extensions?.inputPath).toEqual(['filter', 'tables', '0']);
      const tenant = await errorOf({ first: 1, filter: { tenants: [globalId('Tenant', data.contoso.tenant.id), globalId('Tenant', 987654)] } });
      expect(tenant.extensions?.inputPath).toEqual(['filter', 'tenants', '1']);
      expect(tenant.message).toContain(globalId('Tenant', 987654));
      const type = await errorOf({ first: 1, filter: { targetSystemTypes: [globalId('TargetSystemType', 987654)] } });
      expect(type.extensions?.code).toBe('NOT_FOUND');
    });

    test('rejects an ID of the wrong type or a malformed ID', async () => {
      const wrongType = await errorOf({ first: 1, filter: { tables: [globalId('Tenant', data.contoso.tenant.id)] } });
      expect(wrongType.extensions?.code).toBe('BAD_USER_INPUT');
      expect(wrongType.message).toContain('in `filter.tables[0]`: it is the ID of a Tenant, but the ID of a SyncTable is expected');
      const malformed = await errorOf({ first: 1, filter: { tenants: ['%%%'] } });
      expect(malformed.message).toContain('Invalid ID "%%%" in `filter.tenants[0]`');
    });

    test('rejects a malformed date and an empty date range', async () => {
      const malformed = await server.graphql(PAGE, { first: 1, filter: { markedFrom: '2026-13-45' } });
      expect(malformed.data).toBeUndefined();
      expect(malformed.errors?.[0]?.message).toContain('Invalid DateTime "2026-13-45"');
      const empty = await errorOf({ first: 1, filter: { markedFrom: '2026-01-05T00:00:00Z', markedBefore: '2026-01-05T00:00:00Z' } });
      expect(empty.extensions?.code).toBe('INVALID_INPUT');
      expect(empty.message).toContain('markedFrom (2026-01-05T00:00:00.000Z) must be earlier than markedBefore');
    });

    test('rejects an unknown enum value', async () => {
      const result = await server.graphql(PAGE, { first: 1, filter: { objectKinds: ['MAILBOX'] } });
      expect(result.data).toBeUndefined();
      expect(result.errors?.[0]?.message).toContain('Value "MAILBOX" does not exist in "ObjectKind" enum');
    });

    test('rejects a search without words or too long', async () => {
      const noWords = await errorOf({ first: 1, filter: { search: ' -- ' } });
      expect(noWords.extensions?.code).toBe('INVALID_INPUT');
      expect(noWords.message).toContain('contains no letter or digit');
      const long = await errorOf({ first: 1, filter: { search: 'a'.repeat(201) } });
      expect(long.message).toContain('The search has 201 characters; at most 200 are allowed.');
    });
  });
});
