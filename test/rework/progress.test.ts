/**
 * Live progress of bulk operations over WebSocket and SSE, reads beside a large BULK rework, and
 * the bulkOperations and auditEvents lists.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKinds } from '../support/databases.ts';
import { globalId, insertOutstandingObjects, insertTenant } from '../support/fixtures.ts';
import { collectSse, collectWs, startTestServer, type TestServer } from '../support/server.ts';
import { database, FINAL_STATUSES, objectIds, submit, waitForFinal } from './helpers.ts';

const PROGRESS = `subscription($id: ID!) { bulkOperationProgress(id: $id) { status total processed succeeded failed } }`;

/** Checks the events a progress subscriber received: counts never go back, one final event, last. */
function expectWellFormed(events: any[], total: number) {
  const states = events.map((event) => event.bulkOperationProgress);
  const finals = states.filter((state) => FINAL_STATUSES.includes(state.status));
  expect(finals).toHaveLength(1);
  expect(states.at(-1)).toEqual({ status: 'SUCCEEDED', total, processed: total, succeeded: total, failed: 0 });
  for (let index = 1; index < states.length; index++) {
    expect(states[index].processed).toBeGreaterThanOrEqual(states[index - 1].processed);
    expect(states[index].succeeded).toBeGreaterThanOrEqual(states[index - 1].succeeded);
  }
}

/** Creates a WebSocket client that connects (and authenticates) at once and stays connected. */
function persistentClient(server: TestServer): Client {
  return createClient({
    url: server.graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: server.headers().authorization },
    lazy: false,
    retryAttempts: 0,
  });
}

function wsRequest(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  return new Promise((resolve, reject) => {
    client.subscribe({ query, variables }, { next: (value) => resolve(value), error: reject, complete: () => undefined });
  });
}

describe.each(testDatabaseKinds())('bulk operation progress on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server?.close();
  });

  const contacts = async (count: number) => {
    const owner = await insertTenant(database(server));
    return { owner, ids: await insertOutstandingObjects(database(server), owner, 'MailContact', count) };
  };

  test('WebSocket subscriber sees monotonic counts and one final event', async () => {
    const { ids } = await contacts(300);
    const operation = await submit(server, { method: 'RESET', objectIds: objectIds('MailContact', ids), processing: 'SEQUENTIAL' });
    const client = server.wsClient();
    try {
      const events = await collectWs<any>(client, PROGRESS, { id: operation.id }, 60_000);
      expect(events.length).toBeGreaterThan(2);
      expectWellFormed(events, 300);
    } finally {
      await client.dispose();
    }
  });

  test('SSE subscriber sees monotonic counts and one final event', async () => {
    const { ids } = await contacts(300);
    const operation = await submit(server, { method: 'RESET', objectIds: objectIds('MailContact', ids), processing: 'SEQUENTIAL' });
    const client = server.sseClient();
    try {
      const events = await collectSse<any>(client, PROGRESS, { id: operation.id }, 60_000);
      expect(events.length).toBeGreaterThan(2);
      expectWellFormed(events, 300);
    } finally {
      client.dispose();
    }
  });

  test('unknown operation is a clear error', async () => {
    const client = server.wsClient();
    try {
      const missing = globalId('BulkOperation', 99999999);
      await expect(collectWs(client, PROGRESS, { id: missing })).rejects.toThrow(`Bulk operation ${missing} not found`);
    } finally {
      await client.dispose();
    }
  });

  test('late subscriber gets the final state and the end', async () => {
    const { ids } = await contacts(5);
    const operation = await submit(server, { method: 'RESET', objectIds: objectIds('MailContact', ids) });
    await waitForFinal(server, operation.id);
    const client = server.wsClient();
    try {
      const events = await collectWs<any>(client, PROGRESS, { id: operation.id });
      expect(events).toEqual([{ bulkOperationProgress: { status: 'SUCCEEDED', total: 5, processed: 5, succeeded: 5, failed: 0 } }]);
    } finally {
      await client.dispose();
    }
  });

  test('reads and a subscription run beside a large BULK rework', async () => {
    const { owner } = await contacts(30_000);
    const client = persistentClient(server);
    try {
      await wsRequest(client, '{ __typename }');
      const operation = await submit(server, { method: 'RESET', filter: { tenants: [globalId('Tenant', owner.tenant.id)] } });
      const events: any[] = [];
      let read: Promise<any> | undefined;
      await new Promise<void>((resolve, reject) => {
        client.subscribe<any>(
          { query: PROGRESS, variables: { id: operation.id } },
          {
            next: (value) => {
              const state = value.data.bulkOperationProgress;
              events.push(state);
              // While the BULK transaction is open, a read of the operation is served from memory.
              if (!read && state.status === 'RUNNING' && state.processed > 0) {
                read = wsRequest(client, `query($id: ID!) { node(id: $id) { ... on BulkOperation { status processed } } tenants(first: 1) { totalCount } }`, { id: operation.id });
              }
            },
            error: reject,
            complete: resolve,
          },
        );
      });
      expectWellFormed(events.map((state) => ({ bulkOperationProgress: state })), 30_000);
      const running = events.filter((state) => state.status === 'RUNNING' && state.processed > 0 && state.processed < 30_000);
      expect(running.length).toBeGreaterThan(0);
      expect(read).toBeDefined();
      const answer = await read!;
      expect(answer.errors).toBeUndefined();
      expect(answer.data.node.processed).toBeGreaterThan(0);
      expect(answer.data.tenants.totalCount).toBeGreaterThan(0);
    } finally {
      await client.dispose();
    }
  });

  test('bulkOperations lists newest first and filters by status and method', async () => {
    const { ids } = await contacts(4);
    const reset = await submit(server, { method: 'RESET', objectIds: objectIds('MailContact', ids.slice(0, 2)) });
    await waitForFinal(server, reset.id);
    const deleted = await submit(server, { method: 'DELETE', objectIds: objectIds('MailContact', ids.slice(2)) });
    await waitForFinal(server, deleted.id);

    const all = await server.query(`{ bulkOperations(first: 2) { totalCount edges { node { id method } } pageInfo { hasNextPage } } }`);
    expect(all.bulkOperations.edges.map((edge: any) => edge.node.id)).toEqual([deleted.id, reset.id]);
    expect(all.bulkOperations.pageInfo.hasNextPage).toBe(all.bulkOperations.totalCount > 2);

    const deletes = await server.query(`{ bulkOperations(filter: { method: ["DELETE"], status: [SUCCEEDED] }) { totalCount edges { node { id method status } } } }`);
    expect(deletes.bulkOperations.edges.every((edge: any) => edge.node.method === 'DELETE' && edge.node.status === 'SUCCEEDED')).toBe(true);
    expect(deletes.bulkOperations.edges.map((edge: any) => edge.node.id)).toContain(deleted.id);
    expect(deletes.bulkOperations.totalCount).toBe(deletes.bulkOperations.edges.length);
  });

  test('auditEvents filters by object, action, actor and time', async () => {
    const { ids } = await contacts(2);
    const before = new Date();
    const operation = await submit(server, { method: 'RESET', objectIds: objectIds('MailContact', ids) });
    await waitForFinal(server, operation.id);

    const byObject = await server.query(`query($object: ID!) { auditEvents(filter: { object: $object }) { totalCount edges { node { action outcome actor object { id } bulkOperation { id } } } } }`, {
      object: globalId('MailContact', ids[0]!),
    });
    expect(byObject.auditEvents.totalCount).toBe(1);
    expect(byObject.auditEvents.edges[0].node).toMatchObject({ action: 'rework.reset', outcome: 'SUCCEEDED', object: { id: globalId('MailContact', ids[0]!) }, bulkOperation: { id: operation.id } });

    const actor = byObject.auditEvents.edges[0].node.actor;
    const byOperation = await server.query(`query($object: ID!, $actor: String!, $from: DateTime!) {
      auditEvents(filter: { object: $object, actor: $actor, from: $from, action: ["bulkOperation.submit", "bulkOperation.finish"] }) { edges { node { action outcome } } }
    }`, { object: operation.id, actor, from: before.toISOString() });
    expect(byOperation.auditEvents.edges.map((edge: any) => edge.node)).toEqual([
      { action: 'bulkOperation.finish', outcome: 'SUCCEEDED' },
      { action: 'bulkOperation.submit', outcome: 'SUCCEEDED' },
    ]);

    const beforeAny = await server.query(`query($to: DateTime!) { auditEvents(filter: { action: ["rework.reset"], to: $to }) { edges { node { object { id } } } } }`, { to: before.toISOString() });
    expect(beforeAny.auditEvents.edges.map((edge: any) => edge.node.object?.id)).not.toContain(globalId('MailContact', ids[0]!));
  });
});
