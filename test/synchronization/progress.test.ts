import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKinds } from '../support/databases.ts';
import { collectSse, collectWs, type TestServer } from '../support/server.ts';
import { generateJsonFile } from '../snapshot/generate.ts';
import { json, mailUser, RUN_FIELDS, startSyncServer, SyncClient, upload, type Run } from './support.ts';

/** Enough mail users (about 2 KB each) that a run reports progress several times. */
const USERS = 3000;

const PROGRESS = `subscription ($id: ID!) { synchronizationRunProgress(id: $id) { ${RUN_FIELDS} } }`;

describe.each(testDatabaseKinds())('synchronization progress and concurrency on %s', (kind) => {
  let server: TestServer;
  let client: SyncClient;
  let bigSnapshot: Buffer;
  const folder = mkdtempSync(path.join(os.tmpdir(), 'sw-progress-'));
  beforeAll(async () => {
    server = await startSyncServer(kind);
    client = new SyncClient(server);
    const file = path.join(folder, 'MailUser.json');
    await generateJsonFile(file, USERS);
    bigSnapshot = readFileSync(file);
  });
  afterAll(async () => {
    await server?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Uploads the large snapshot, starts a run of it and returns the run as `synchronize` returned it. */
  async function startBigRun(tenant: string): Promise<Run> {
    const uploaded = await upload(server, { 'MailUser.json': bigSnapshot });
    expect(uploaded.status).toBe(201);
    const payload = await client.synchronize({ tenant, snapshotId: uploaded.body.id });
    expect(payload.errors).toEqual([]);
    return payload.synchronizationRun!;
  }

  test('progress over WebSocket and SSE', async () => {
    await client.createTenant('Progress', 'contoso.com');
    const ws = server.wsClient();
    const sse = server.sseClient();
    try {
      const run = await startBigRun('Progress');
      const [overWs, overSse] = await Promise.all([
        collectWs<{ synchronizationRunProgress: Run }>(ws, PROGRESS, { id: run.id }, 120_000),
        collectSse<{ synchronizationRunProgress: Run }>(sse, PROGRESS, { id: run.id }, 120_000),
      ]);

      for (const events of [overWs, overSse]) {
        const states = events.map((event) => event.synchronizationRunProgress);
        const finals = states.filter((state) => ['SUCCEEDED', 'FAILED', 'INTERRUPTED'].includes(state.status));
        expect(finals).toHaveLength(1);
        expect(states.at(-1)!.status).toBe('SUCCEEDED');
        expect(states.at(-1)!.counts).toMatchObject({ read: USERS, inserted: USERS, identitiesCreated: USERS });
        for (let index = 1; index < states.length; index += 1) {
          for (const key of ['read', 'inserted', 'identitiesCreated']) {
            expect(states[index]!.counts[key]).toBeGreaterThanOrEqual(states[index - 1]!.counts[key]!);
          }
        }
      }
      // The run reports while it reads, so at least one event between the first and the last one.
      expect(overWs.length).toBeGreaterThan(2);

      const late = await collectWs<{ synchronizationRunProgress: Run }>(ws, PROGRESS, { id: run.id });
      expect(late.map((event) => event.synchronizationRunProgress.status)).toEqual(['SUCCEEDED']);
    } finally {
      await ws.dispose();
    }
  });

  test('second run of a busy tenant is rejected', async () => {
    await client.createTenant('Busy', 'contoso.com');
    const first = await startBigRun('Busy');
    await untilReading(first.id);

    const second = await client.synchronize({ tenant: 'Busy', files: [{ name: 'MailUser.json', content: json([mailUser(1)]) }] });
    expect(second.synchronizationRun).toBeNull();
    expect(second.errors).toEqual([
      expect.objectContaining({ __typename: 'TenantBusyError', code: 'TENANT_BUSY', holderKind: 'SYNCHRONIZATION_RUN', synchronizationRun: { id: first.id } }),
    ]);
    expect(second.errors[0].message).toContain('Tenant "Busy" is busy');

    expect((await client.waitFor(first.id, 120_000)).status).toBe('SUCCEEDED');
    const afterwards = await client.run('Busy', { 'MailUser.json': json([mailUser(1)]) }, { force: true });
    expect(afterwards.status).toBe('SUCCEEDED');
  });

  /** Resolves once the run has read rows, so it is certainly in progress. */
  async function untilReading(id: string): Promise<void> {
    const ws = server.wsClient();
    try {
      await new Promise<void>((resolve, reject) => {
        ws.subscribe<{ synchronizationRunProgress: Run }>(
          { query: PROGRESS, variables: { id } },
          {
            next: (value) => {
              const state = value.data?.synchronizationRunProgress;
              if (state && (state.counts.read ?? 0) > 0 && state.status === 'RUNNING') resolve();
            },
            error: reject,
            complete: () => reject(new Error(`run ${id} ended before it was seen reading`)),
          },
        );
      });
    } finally {
      await ws.dispose();
    }
  }

  test('unknown run id is a clear error', async () => {
    const ws = server.wsClient();
    try {
      await expect(collectWs(ws, PROGRESS, { id: 'U3luY2hyb25pemF0aW9uUnVuOjk5OTk5' })).rejects.toThrow('Synchronization run U3luY2hyb25pemF0aW9uUnVuOjk5OTk5 not found');
    } finally {
      await ws.dispose();
    }
  });
});
