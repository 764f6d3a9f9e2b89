import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKinds } from '../support/databases.ts';
import type { TestServer } from '../support/server.ts';
import { startSyncServer } from './support.ts';

describe.each(testDatabaseKinds())('demo data set on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startSyncServer(kind, { seedDemo: true });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('two real runs built it', async () => {
    const data = await server.query(`{ synchronizationRuns { totalCount edges { node { status counts { inserted markedOutstanding unresolvedReferences } } } } }`);
    expect(data.synchronizationRuns.totalCount).toBe(2);
    const [later, first] = data.synchronizationRuns.edges.map((edge: any) => edge.node);
    expect(first).toMatchObject({ status: 'SUCCEEDED', counts: { markedOutstanding: 0, unresolvedReferences: 1 } });
    expect(later).toMatchObject({ status: 'SUCCEEDED', counts: { unresolvedReferences: 1 } });
    expect(later.counts.markedOutstanding).toBeGreaterThan(0);
  });

  test('every kind and no-log reason is outstanding', async () => {
    const data = await server.query(`{ outstandingObjects(first: 100) { edges { node { __typename outstanding { cause noLogReason lastMethodRun } } } } }`);
    const nodes = data.outstandingObjects.edges.map((edge: any) => edge.node);
    expect(new Set(nodes.map((node: any) => node.__typename))).toEqual(new Set(['MailUser', 'MailContact', 'DistributionGroup', 'Membership']));
    expect(new Set(nodes.map((node: any) => node.outstanding.noLogReason))).toEqual(new Set([null, 'LOG_DELETED', 'REMOVED_FROM_MEMBER_LIST', 'CONTAINER_DELETED']));
    expect(nodes.filter((node: any) => node.outstanding.lastMethodRun === 'MARK_OUTSTANDING').length).toBeGreaterThan(0);
  });

  test('the room mailbox is an unresolved reference', async () => {
    const data = await server.query(`{ unresolvedReferences { totalCount edges { node { memberDisplayName memberRecipientType groupFound } } } }`);
    expect(data.unresolvedReferences.edges.map((edge: any) => edge.node)).toEqual([
      { memberDisplayName: 'Conf Room Adams', memberRecipientType: 'RoomMailbox', groupFound: true },
    ]);
  });
});
