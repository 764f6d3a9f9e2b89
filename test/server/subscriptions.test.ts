import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { synchronizationRuns, targetSystems, tenants } from '../../src/db/schema.ts';
import { testDatabaseKinds } from '../support/databases.ts';
import { collectSse, collectWs, startTestServer, type TestServer } from '../support/server.ts';

const progressSubscription = `
  subscription ($id: ID!) {
    synchronizationRunProgress(id: $id) { id status counts { inserted updated } }
  }`;

type ProgressEvent = { synchronizationRunProgress: { status: string; counts: { inserted: number; updated: number } } };

describe.each(testDatabaseKinds())('subscriptions on %s', (kind) => {
  let server: TestServer;
  let tenantId: number;
  let targetSystemId: number;

  beforeAll(async () => {
    server = await startTestServer(kind);
    const created = await server.query(`mutation { createTenant(input: { name: "Fabrikam", primaryDomain: "fabrikam.com" }) { tenant { id } errors { message } } }`);
    expect(created.createTenant.errors).toEqual([]);
    const db = server.server.runtime.services.db;
    const [tenant] = await db.select().from(tenants).where(eq(tenants.name, 'Fabrikam'));
    const [system] = await db.select().from(targetSystems).where(eq(targetSystems.tenantId, tenant!.id));
    tenantId = tenant!.id;
    targetSystemId = system!.id;
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Inserts a queued run and returns its database id and global ID. */
  async function createRun() {
    const db = server.server.runtime.services.db;
    const [run] = await db
      .insert(synchronizationRuns)
      .values({ tenantId, targetSystemId, requestedBy: 'test', source: { test: true } })
      .returning();
    return { id: run!.id, globalId: Buffer.from(`SynchronizationRun:${run!.id}`).toString('base64') };
  }

  /** Moves the run through RUNNING with growing counts to SUCCEEDED, publishing an event per step. */
  async function driveRun(id: number) {
    const { db, pubsub } = server.server.runtime.services;
    for (let step = 1; step <= 5; step++) {
      await db.update(synchronizationRuns).set({ status: 'RUNNING', counts: { inserted: step * 10, updated: step } }).where(eq(synchronizationRuns.id, id));
      pubsub.publish('synchronizationRun:progress', id, { id });
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await db.update(synchronizationRuns).set({ status: 'SUCCEEDED', counts: { inserted: 60, updated: 6 } }).where(eq(synchronizationRuns.id, id));
    pubsub.publish('synchronizationRun:progress', id, { id });
  }

  function assertProgress(events: ProgressEvent[]) {
    const states = events.map((event) => event.synchronizationRunProgress);
    expect(states[0]!.status).toBe('QUEUED');
    expect(states.at(-1)!.status).toBe('SUCCEEDED');
    expect(states.at(-1)!.counts.inserted).toBe(60);
    expect(states.filter((state) => state.status === 'SUCCEEDED')).toHaveLength(1);
    const inserted = states.map((state) => state.counts.inserted);
    expect(inserted).toEqual([...inserted].sort((a, b) => a - b));
  }

  test('progress arrives over WebSocket', async () => {
    const run = await createRun();
    const client = server.wsClient();
    const events = collectWs<ProgressEvent>(client, progressSubscription, { id: run.globalId });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await driveRun(run.id);
    assertProgress(await events);
    await client.dispose();
  });

  test('progress arrives over SSE', async () => {
    const run = await createRun();
    const client = server.sseClient();
    const events = collectSse<ProgressEvent>(client, progressSubscription, { id: run.globalId });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await driveRun(run.id);
    assertProgress(await events);
    client.dispose();
  });

  test('late subscriber gets the final state and completion', async () => {
    const run = await createRun();
    await driveRun(run.id);
    const client = server.wsClient();
    const events = await collectWs<ProgressEvent>(client, progressSubscription, { id: run.globalId });
    expect(events).toHaveLength(1);
    expect(events[0]!.synchronizationRunProgress.status).toBe('SUCCEEDED');
    await client.dispose();
  });

  test('unknown run is a clear error', async () => {
    const client = server.wsClient();
    const missing = Buffer.from('SynchronizationRun:999999').toString('base64');
    await expect(collectWs(client, progressSubscription, { id: missing })).rejects.toThrow(`Synchronization run ${missing} not found`);
    await client.dispose();
  });

  /** Subscribes over WebSocket and returns the GraphQL errors of the first result. */
  function subscriptionErrors(query: string, variables: Record<string, unknown>): Promise<readonly { message: string; extensions?: Record<string, unknown> }[]> {
    const client = server.wsClient();
    return new Promise((resolve, reject) => {
      client.subscribe(
        { query, variables },
        {
          next: (value) => {
            void client.dispose();
            if (value.errors) resolve(value.errors);
            else reject(new Error(`expected errors, got ${JSON.stringify(value)}`));
          },
          error: (error) => reject(new Error(`expected a result with errors, got ${JSON.stringify(error)}`)),
          complete: () => reject(new Error('expected a result with errors, but the subscription completed')),
        },
      );
    });
  }

  const mailUserId = Buffer.from('MailUser:26').toString('base64');
  const WRONG_TYPE: [string, string, string][] = [
    ['synchronizationRunProgress', 'subscription ($id: ID!) { synchronizationRunProgress(id: $id) { id } }', 'SynchronizationRun'],
    ['bulkOperationProgress', 'subscription ($id: ID!) { bulkOperationProgress(id: $id) { id } }', 'BulkOperation'],
  ];

  test.each(WRONG_TYPE)('%s rejects an ID of another type', async (_field, query, expected) => {
    const [error] = await subscriptionErrors(query, { id: mailUserId });
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error?.message).toBe(`Invalid ID "${mailUserId}" in \`id\`: it is the ID of a MailUser, but the ID of a ${expected} is expected.`);
  });

  test.each(WRONG_TYPE)('%s rejects a value that is no ID', async (_field, query) => {
    const [error] = await subscriptionErrors(query, { id: 'x' });
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error?.message).toBe('Invalid ID "x" in `id`: it is not an ID from this API. Pass the `id` of an object you read.');
  });
});
