import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { testDatabaseKinds } from '../support/databases.ts';

describe.each(testDatabaseKinds())('target system types on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server?.close();
  });

  test('lists Exchange Online with its built-in tables', async () => {
    const data = await server.query(`{
      targetSystemTypes { totalCount edges { node { name outstandingCount syncTables { totalCount edges { node { name kind isCustom outstandingCount } } } } } }
    }`);
    expect(data.targetSystemTypes.totalCount).toBe(1);
    const type = data.targetSystemTypes.edges[0].node;
    expect(type.name).toBe('Exchange Online');
    expect(type.outstandingCount).toBe(0);
    expect(type.syncTables.totalCount).toBe(4);
    expect(type.syncTables.edges.map((edge: any) => edge.node.name)).toEqual([
      'DistributionGroup',
      'DistributionGroupMember',
      'MailContact',
      'MailUser',
    ]);
    expect(type.syncTables.edges.map((edge: any) => edge.node.kind)).toEqual(['OBJECT', 'ASSIGNMENT', 'OBJECT', 'OBJECT']);
  });
});
