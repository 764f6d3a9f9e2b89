import { eq } from 'drizzle-orm';
import type { Client as WsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { synchronizationRuns, targetSystems, tenants } from '../../src/db/schema.ts';
import { createProgressPubSub } from '../../src/graphql/pubsub.ts';
import { createLogger } from '../../src/logger.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// Redis must run wherever the PostgreSQL tests run, and CI starts both, so these tests fail rather than skip without it.
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const progressSubscription = `
  subscription ($id: ID!) {
    synchronizationRunProgress(id: $id) { status counts { inserted } }
  }`;

type Progress = { status: string; inserted: number };
type Received = Progress & { at: number };

describe('progress pub/sub without REDIS_URL', () => {
  test('uses memory and delivers in-process', async () => {
    const events = await createProgressPubSub(undefined, createLogger({ level: 'silent', format: 'json' }));
    expect(events.transport).toBe('memory');

    const subscription = events.pubsub.subscribe('synchronizationRun:progress', 7)[Symbol.asyncIterator]();
    const next = subscription.next();
    events.pubsub.publish('synchronizationRun:progress', 7, { id: 7 });
    expect((await next).value).toEqual({ id: 7 });
    await subscription.return?.();
    await events.close();
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('progress events across instances on postgres (needs TEST_DATABASE_URL)', () => {
  let serverA: TestServer;
  let serverB: TestServer;
  let serverWithoutRedis: TestServer;
  let tenantId: number;
  let targetSystemId: number;

  beforeAll(async () => {
    serverA = await startTestServer('postgres', { env: { REDIS_URL: redisUrl } });
    serverB = await startTestServer('postgres', { env: { REDIS_URL: redisUrl }, database: serverA.database });
    serverWithoutRedis = await startTestServer('postgres', { database: serverA.database });

    const created = await serverA.query(`mutation { createTenant(input: { name: "Fabrikam", primaryDomain: "fabrikam.com" }) { errors { message } } }`);
    expect(created.createTenant.errors).toEqual([]);
    const db = serverA.server.runtime.services.db;
    const [tenant] = await db.select().from(tenants).where(eq(tenants.name, 'Fabrikam'));
    const [system] = await db.select().from(targetSystems).where(eq(targetSystems.tenantId, tenant!.id));
    tenantId = tenant!.id;
    targetSystemId = system!.id;
  });
  afterAll(async () => {
    // The servers that share server A's database close first, because closing A drops it.
    await serverWithoutRedis?.close();
    await serverB?.close();
    await serverA?.close();
  });

  /** Inserts a queued run and returns its database id and global ID. */
  async function createRun() {
    const db = serverA.server.runtime.services.db;
    const [run] = await db.insert(synchronizationRuns).values({ tenantId, targetSystemId, requestedBy: 'test', source: { test: true } }).returning();
    return { id: run!.id, globalId: Buffer.from(`SynchronizationRun:${run!.id}`).toString('base64') };
  }

  /**
   * Moves the run through three RUNNING states to SUCCEEDED on server A, publishing an event per
   * step, 250 ms apart so that the subscription's 100 ms throttle keeps every state apart.
   * Returns the time at which each state was published.
   */
  async function driveRunOnServerA(id: number) {
    const { db, pubsub } = serverA.server.runtime.services;
    const steps = [
      { status: 'RUNNING' as const, inserted: 10 },
      { status: 'RUNNING' as const, inserted: 20 },
      { status: 'RUNNING' as const, inserted: 30 },
      { status: 'SUCCEEDED' as const, inserted: 40 },
    ];
    const publishedAt: number[] = [];
    for (const step of steps) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      await db.update(synchronizationRuns).set({ status: step.status, counts: { inserted: step.inserted } }).where(eq(synchronizationRuns.id, id));
      publishedAt.push(Date.now());
      pubsub.publish('synchronizationRun:progress', id, { id });
    }
    return publishedAt;
  }

  /** Subscribes and records each state with the time it arrived, until the subscription completes. */
  function receive(client: WsClient, globalId: string): { started: Promise<void>; done: Promise<Received[]> } {
    let markStarted: () => void;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    const done = new Promise<Received[]>((resolve, reject) => {
      const received: Received[] = [];
      const timer = setTimeout(() => reject(new Error(`subscription did not complete within 10 s; got ${JSON.stringify(received)}`)), 10_000);
      client.subscribe<{ synchronizationRunProgress: { status: string; counts: { inserted: number } } }>(
        { query: progressSubscription, variables: { id: globalId } },
        {
          next: (value) => {
            if (value.errors) return reject(new Error(JSON.stringify(value.errors)));
            const progress = value.data!.synchronizationRunProgress;
            received.push({ status: progress.status, inserted: progress.counts.inserted ?? 0, at: Date.now() });
            markStarted();
          },
          error: (error) => {
            clearTimeout(timer);
            reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
          },
          complete: () => {
            clearTimeout(timer);
            resolve(received);
          },
        },
      );
    });
    return { started, done };
  }

  test('server B receives every state published on A', async () => {
    const run = await createRun();
    const client = serverB.wsClient();
    const subscription = receive(client, run.globalId);
    await subscription.started;

    const publishedAt = await driveRunOnServerA(run.id);
    const received = await subscription.done;

    expect(received.map(({ status, inserted }) => ({ status, inserted }))).toEqual([
      { status: 'QUEUED', inserted: 0 },
      { status: 'RUNNING', inserted: 10 },
      { status: 'RUNNING', inserted: 20 },
      { status: 'RUNNING', inserted: 30 },
      { status: 'SUCCEEDED', inserted: 40 },
    ]);
    // B polls every 2 s without events, so arrival within 1 s of each publish shows Redis carried it.
    for (const [index, at] of publishedAt.entries()) {
      expect(received[index + 1]!.at - at).toBeLessThan(1000);
    }
    await client.dispose();
  });

  test('server without REDIS_URL sees A only by polling', async () => {
    const run = await createRun();
    const client = serverWithoutRedis.wsClient();
    const subscription = receive(client, run.globalId);
    await subscription.started;

    const publishedAt = await driveRunOnServerA(run.id);
    const received = await subscription.done;

    expect(received[0]!.status).toBe('QUEUED');
    expect(received.at(-1)!.status).toBe('SUCCEEDED');
    expect(received.length).toBeLessThan(5);
    // Only the 2-second poll finds the final state, because A's events never reach this server.
    expect(received.at(-1)!.at - publishedAt.at(-1)!).toBeGreaterThanOrEqual(500);
    await client.dispose();
  });
});
