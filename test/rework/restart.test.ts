/**
 * Operations cut off by a stopped or killed server. A BULK operation is one transaction, so it
 * saved nothing and must end INTERRUPTED; a SEQUENTIAL one resumes after its last saved object
 * under the same id. The killed server is a real `syncrework serve` process ended with SIGKILL;
 * the next server runs in the test process on the same database.
 */
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, test } from 'vitest';
import { startServer, type RunningServer } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { operatingSystemActor } from '../../src/domain/actor.ts';
import { createApiToken } from '../../src/domain/api-tokens.ts';
import { queryRows } from '../../src/db/sql.ts';
import { createLogger } from '../../src/logger.ts';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/databases.ts';
import { globalId, insertOutstandingObjects, insertTenant } from '../support/fixtures.ts';
import { startServerProcess, type ServerProcess } from '../support/processes.ts';
import { FINAL_STATUSES, STATUS } from './helpers.ts';

interface Instance {
  running: RunningServer;
  token: string;
  query(query: string, variables?: Record<string, unknown>): Promise<any>;
}

/** Starts the server in this process on an existing test database. */
async function startOn(database: TestDatabase): Promise<Instance> {
  const config = loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', SEED_DEMO: 'false', SHUTDOWN_TIMEOUT_MS: '5000', ...database.env });
  const running = await startServer(config, createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'json' }));
  const { token } = await createApiToken(running.runtime.services.db, operatingSystemActor(), { name: `restart-${Date.now()}`, role: 'admin' });
  return { running, token, query: (query, variables) => post(running.url, token, query, variables) };
}

async function post(url: string, token: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Seeds a tenant with outstanding contacts and an API token, then stops, leaving the database to the next server. */
async function seed(database: TestDatabase, count: number): Promise<{ tenantId: number; token: string }> {
  const instance = await startOn(database);
  const owner = await insertTenant(instance.running.runtime.services.db);
  await insertOutstandingObjects(instance.running.runtime.services.db, owner, 'MailContact', count);
  await instance.running.close();
  return { tenantId: owner.tenant.id, token: instance.token };
}

async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const REWORK = `mutation($input: ReworkOutstandingObjectsInput!) { reworkOutstandingObjects(input: $input) { bulkOperation { id status } errors { code message } } }`;

async function counts(instance: Instance, tenantId: number) {
  const [row] = await queryRows<{ outstanding: string | number; resets: string | number; claims: string | number }>(
    instance.running.runtime.services.db,
    sql`select (select count(*) from objects where tenant_id = ${tenantId} and outstanding_since is not null) as outstanding,
               (select count(*) from audit_events where action = 'rework.reset' and outcome = 'SUCCEEDED' and tenant_id = ${tenantId}) as resets,
               (select count(*) from object_claims) as claims`,
  );
  return { outstanding: Number(row!.outstanding), resets: Number(row!.resets), claims: Number(row!.claims) };
}

async function waitForFinal(instance: Instance, id: string): Promise<any> {
  return until(async () => {
    const node = (await instance.query(STATUS, { id })).node;
    return FINAL_STATUSES.includes(node.status) ? node : undefined;
  }, `final status of ${id}`);
}

describe.each(testDatabaseKinds())('rework across restarts on %s', (kind) => {
  let database: TestDatabase | undefined;
  let child: ServerProcess | undefined;
  let instance: Instance | undefined;
  afterEach(async () => {
    if (child && child.child.exitCode === null) await child.stop('SIGKILL');
    await instance?.running.close();
    await database?.drop();
    child = instance = database = undefined;
  });

  /** Starts `syncrework serve` on the database and submits a RESET of every contact of the tenant. */
  async function submitInChild(tenantId: number, token: string, processing: 'BULK' | 'SEQUENTIAL') {
    child = await startServerProcess({ ...database!.env, SEED_DEMO: 'false', LOG_LEVEL: 'info' });
    const data = await post(child.url, token, REWORK, { input: { method: 'RESET', processing, filter: { tenants: [globalId('Tenant', tenantId)] } } });
    expect(data.reworkOutstandingObjects.errors).toEqual([]);
    return data.reworkOutstandingObjects.bulkOperation.id as string;
  }

  /** On PostgreSQL a killed worker's job is taken back once its lease (60 s) expired; move that moment to now. */
  async function expireLeases() {
    if (kind !== 'postgres') return;
    const admin = await startOn(database!);
    await admin.running.runtime.services.db.execute(sql`update jobs set locked_at = now() - interval '10 minutes' where status = 'RUNNING'`);
    await admin.running.close();
  }

  test('killed server: BULK ends INTERRUPTED with nothing saved', async () => {
    database = await createTestDatabase(kind);
    const total = 40_000;
    const { tenantId, token } = await seed(database, total);
    const id = await submitInChild(tenantId, token, 'BULK');
    await until(async () => (child!.logLines().some((line) => line.msg === 'bulk operation started') ? true : undefined), 'bulk operation started');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(child!.logLines().some((line) => line.msg === 'bulk operation succeeded')).toBe(false);
    await child!.stop('SIGKILL');

    await expireLeases();
    instance = await startOn(database);
    const done = await waitForFinal(instance, id);
    expect(done.status).toBe('INTERRUPTED');
    expect(done.rolledBack).toBe(true);
    expect(done.succeeded).toBe(0);
    expect(done.statusReason).toContain('nothing was saved');
    expect(await counts(instance, tenantId)).toEqual({ outstanding: total, resets: 0, claims: 0 });
  });

  test('killed server: SEQUENTIAL resumes after its last saved object', async () => {
    database = await createTestDatabase(kind);
    const total = 1500;
    const { tenantId, token } = await seed(database, total);
    const id = await submitInChild(tenantId, token, 'SEQUENTIAL');
    const before = await until(async () => {
      const node = (await post(child!.url, token, STATUS, { id })).node;
      return node.succeeded >= 100 ? node : undefined;
    }, '100 saved objects');
    expect(before.status).toBe('RUNNING');
    await child!.stop('SIGKILL');

    await expireLeases();
    instance = await startOn(database);
    const done = await waitForFinal(instance, id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.succeeded).toBe(total);
    expect(done.processed).toBe(total);
    // Every object was reset exactly once, none twice across the two servers.
    expect(await counts(instance, tenantId)).toEqual({ outstanding: 0, resets: total, claims: 0 });
  });

  test('stopped server: BULK ends INTERRUPTED, SEQUENTIAL resumes', async () => {
    database = await createTestDatabase(kind);
    const { tenantId } = await seed(database, 30_000);
    instance = await startOn(database);
    const other = await insertTenant(instance.running.runtime.services.db);
    await insertOutstandingObjects(instance.running.runtime.services.db, other, 'MailContact', 1000);

    const sequential = (await instance.query(REWORK, { input: { method: 'RESET', processing: 'SEQUENTIAL', filter: { tenants: [globalId('Tenant', other.tenant.id)] } } }))
      .reworkOutstandingObjects.bulkOperation.id;
    await until(async () => ((await instance!.query(STATUS, { id: sequential })).node.succeeded >= 20 ? true : undefined), '20 saved objects');
    const bulk = (await instance.query(REWORK, { input: { method: 'RESET', filter: { tenants: [globalId('Tenant', tenantId)] } } })).reworkOutstandingObjects.bulkOperation.id;
    await until(async () => ((await instance!.query(STATUS, { id: bulk })).node.processed > 0 ? true : undefined), 'first BULK chunk');
    await instance.running.close();

    instance = await startOn(database);
    const bulkDone = await waitForFinal(instance, bulk);
    expect(bulkDone.status).toBe('INTERRUPTED');
    expect(bulkDone.rolledBack).toBe(true);
    expect((await counts(instance, tenantId)).outstanding).toBe(30_000);
    const sequentialDone = await waitForFinal(instance, sequential);
    expect(sequentialDone.status).toBe('SUCCEEDED');
    expect((await counts(instance, other.tenant.id)).resets).toBe(1000);
  });
});
