import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OUTSTANDING_PAGE_QUERY } from '../../bench/outstanding-page-query.ts';
import { testDatabaseKinds } from '../support/databases.ts';
import { insertCustomTable, insertLogEntry, insertMembership, insertObject, insertTenant } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe.each(testDatabaseKinds())('queries per page on %s', (kind) => {
  let server: TestServer;
  let recording = false;
  const statements: string[] = [];

  beforeAll(async () => {
    server = await startTestServer(kind, {
      onQuery: (query) => {
        if (recording) statements.push(query);
      },
    });
    const db = server.server.runtime.services.db;
    const tenants = [await insertTenant(db), await insertTenant(db, { writeAccess: false })];
    const custom = await insertCustomTable(db);

    // Kinds interleave in marking order, so a page of 10 contains the same mix as a page of 100.
    for (let index = 0; index < 40; index++) {
      const owner = tenants[index % 2]!;
      const marked = (offset: number) => new Date(Date.UTC(2026, 0, 1, 0, index * 4 + offset));
      const user = await insertObject(db, owner, { table: index % 3 === 0 ? 'MailContact' : 'MailUser', outstanding: marked(0) });
      const group = await insertObject(db, owner, { table: 'DistributionGroup', outstanding: index % 2 === 0 ? marked(1) : false });
      await insertMembership(db, owner, group, user, { outstanding: marked(2), cause: 'REMOVED_FROM_MEMBER_LIST' });
      await insertObject(db, owner, { table: custom, outstanding: marked(3), logPurgedAt: new Date() });
      if (index % 4 === 0) await insertLogEntry(db, user, { method: 'MARK_OUTSTANDING' });
    }
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Runs the page query and returns the statements it sent, leaving out the job worker's polling. */
  async function statementsFor(first: number): Promise<string[]> {
    statements.length = 0;
    recording = true;
    const data = await server.query(OUTSTANDING_PAGE_QUERY, { first, withCount: true });
    recording = false;
    expect(data.outstandingObjects.edges).toHaveLength(first);
    const kinds = new Set(data.outstandingObjects.edges.map((edge: any) => edge.node.__typename));
    expect(kinds).toEqual(new Set(['MailUser', 'MailContact', 'DistributionGroup', 'Membership', 'CustomObject']));
    return statements.filter((statement) => !/\b(from|update|into)\s+"?jobs"?\b/i.test(statement));
  }

  test('a page of 100 costs the same queries as a page of 10', async () => {
    // The first request also authenticates its token against the database; later ones hit a cache.
    await statementsFor(10);
    const ten = await statementsFor(10);
    const hundred = await statementsFor(100);
    expect(hundred.length).toBe(ten.length);
    // List, count, tables, types, membership sides and four for the constraints.
    expect(hundred.length).toBe(9);
  });
});
