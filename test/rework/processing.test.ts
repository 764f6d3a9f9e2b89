/**
 * BULK and SEQUENTIAL processing with real failures. A failure is made real with a trigger that
 * the test creates on `objects`: it raises for chosen rows, as a constraint or an extension's
 * trigger of the customer's database would. The engine gets an ordinary database error and has to
 * find the failing object itself. Nothing in the product knows about the test.
 */
import { sql } from 'drizzle-orm';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { synchronizationRuns } from '../../src/db/schema.ts';
import { claimTenant, releaseTenant } from '../../src/domain/tenant-claims.ts';
import { testDatabaseKinds } from '../support/databases.ts';
import { globalId, insertMembership, insertObject, insertOutstandingObjects, insertTenant, type TenantFixture } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { count, database, eventually, loadStatus, objectIds, rework, submit, waitForFinal } from './helpers.ts';

let triggerCount = 0;

/** Makes every UPDATE or DELETE of the given objects fail in the database; returns the cleanup. */
async function rejectChangesOf(server: TestServer, ids: number[]): Promise<() => Promise<void>> {
  const name = `reject_test_${process.pid}_${++triggerCount}`;
  const db = database(server);
  await db.execute(
    sql.raw(`create function ${name}() returns trigger language plpgsql as $$
      begin
        if old.id in (${ids.join(', ')}) then raise exception 'object % is held by a test trigger', old.id; end if;
        if tg_op = 'DELETE' then return old; end if;
        return new;
      end $$`),
  );
  await db.execute(sql.raw(`create trigger ${name} before update or delete on objects for each row execute function ${name}()`));
  return async () => {
    await db.execute(sql.raw(`drop trigger ${name} on objects`));
    await db.execute(sql.raw(`drop function ${name}()`));
  };
}

/** Runs one query over a graphql-ws client. */
function wsQuery(client: Client, query: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    client.subscribe({ query }, { next: resolve, error: reject, complete: () => undefined });
  });
}

const operationId = (id: string) => Number(Buffer.from(id, 'base64').toString('utf8').split(':')[1]);

describe.each(testDatabaseKinds())('rework processing on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server?.close();
  });

  const tenantWith = async (count: number): Promise<{ owner: TenantFixture; ids: number[] }> => {
    const owner = await insertTenant(database(server));
    return { owner, ids: await insertOutstandingObjects(database(server), owner, 'MailContact', count) };
  };
  const outstandingIn = (owner: TenantFixture) => count(server, sql`select count(*) from objects where tenant_id = ${owner.tenant.id} and outstanding_since is not null`);

  test('BULK rolls back everything when one object of thousands fails', async () => {
    const { owner, ids } = await tenantWith(3000);
    const failing = ids[1700]!;
    const cleanup = await rejectChangesOf(server, [failing]);
    try {
      const operation = await submit(server, { method: 'RESET', filter: { tenants: [globalId('Tenant', owner.tenant.id)] } });
      expect(operation.total).toBe(3000);
      const done = await waitForFinal(server, operation.id);
      expect(done.status).toBe('FAILED');
      expect(done.rolledBack).toBe(true);
      expect(done.succeeded).toBe(0);
      expect(done.failed).toBe(1);
      expect(done.failures.totalCount).toBe(1);
      const failure = done.failures.edges[0].node;
      expect(failure.object.id).toBe(globalId('MailContact', failing));
      expect(failure.code).toBe('DATABASE_ERROR');
      expect(failure.message).toContain('held by a test trigger');
      expect(done.statusReason).toContain(failure.objectDisplayName);
      expect(done.statusReason).toContain('rolled back');

      expect(await outstandingIn(owner)).toBe(3000);
      const id = operationId(operation.id);
      expect(await count(server, sql`select count(*) from log_entries where bulk_operation_id = ${id}`)).toBe(0);
      expect(await count(server, sql`select count(*) from audit_events where action = 'rework.reset' and outcome = 'SUCCEEDED' and (details ->> 'bulkOperationId')::bigint = ${id}`)).toBe(0);
      expect(await count(server, sql`select count(*) from audit_events where action = 'rework.reset' and outcome = 'FAILED' and subject_id = ${String(failing)}`)).toBe(1);
      expect(await count(server, sql`select count(*) from object_claims where bulk_operation_id = ${id}`)).toBe(0);
      expect(await count(server, sql`select count(*) from tenant_claims where tenant_id = ${owner.tenant.id}`)).toBe(0);
    } finally {
      await cleanup();
    }
  });

  test('BULK with continueOnError names every failure and still rolls back', async () => {
    const { owner, ids } = await tenantWith(2500);
    const failing = [ids[10]!, ids[1200]!, ids[2400]!];
    const cleanup = await rejectChangesOf(server, failing);
    try {
      const operation = await submit(server, { method: 'RESET', objectIds: objectIds('MailContact', ids.slice(0, 2500)), continueOnError: true });
      const done = await waitForFinal(server, operation.id);
      expect(done.status).toBe('FAILED');
      expect(done.rolledBack).toBe(true);
      expect(done.processed).toBe(2500);
      expect(done.failed).toBe(3);
      expect(done.failures.edges.map((edge: any) => edge.node.object.id)).toEqual(failing.map((id) => globalId('MailContact', id)));
      expect(await outstandingIn(owner)).toBe(2500);
    } finally {
      await cleanup();
    }
  });

  test('SEQUENTIAL stops at the first failure and keeps what it saved', async () => {
    const { owner, ids } = await tenantWith(50);
    const cleanup = await rejectChangesOf(server, [ids[19]!]);
    try {
      const operation = await submit(server, { method: 'RESET', objectIds: objectIds('MailContact', ids), processing: 'SEQUENTIAL' });
      const done = await waitForFinal(server, operation.id);
      expect(done.status).toBe('FAILED');
      expect(done.rolledBack).toBe(false);
      expect(done.succeeded).toBe(19);
      expect(done.failed).toBe(1);
      expect(done.processed).toBe(20);
      expect(done.failures.edges[0].node.object.id).toBe(globalId('MailContact', ids[19]!));
      expect(done.statusReason).toContain(`Stopped at ${done.failures.edges[0].node.objectDisplayName}`);
      expect(done.statusReason).toContain('19 object(s) before it stay saved');
      expect(await count(server, sql`select count(*) from objects where id = any(${`{${ids.slice(0, 19).join(',')}}`}::bigint[]) and outstanding_since is null`)).toBe(19);
      expect(await outstandingIn(owner)).toBe(31);
    } finally {
      await cleanup();
    }
  });

  test('SEQUENTIAL with continueOnError saves every object that succeeds', async () => {
    const { owner, ids } = await tenantWith(30);
    const cleanup = await rejectChangesOf(server, [ids[3]!, ids[17]!]);
    try {
      const operation = await submit(server, { method: 'RESET', objectIds: objectIds('MailContact', ids), processing: 'SEQUENTIAL', continueOnError: true });
      const done = await waitForFinal(server, operation.id);
      expect(done.status).toBe('PARTIALLY_SUCCEEDED');
      expect(done.succeeded).toBe(28);
      expect(done.failed).toBe(2);
      expect(done.failures.edges.map((edge: any) => edge.node.object.id)).toEqual([globalId('MailContact', ids[3]!), globalId('MailContact', ids[17]!)]);
      expect(await outstandingIn(owner)).toBe(2);
    } finally {
      await cleanup();
    }
  });

  test('rework waits while a synchronization run holds the tenant', async () => {
    const { owner, ids } = await tenantWith(20);
    const db = database(server);
    const [run] = await db
      .insert(synchronizationRuns)
      .values({ tenantId: owner.tenant.id, targetSystemId: owner.targetSystem.id, requestedBy: 'test', status: 'RUNNING', source: {} })
      .returning();
    await claimTenant(db, owner.tenant.id, 'SYNCHRONIZATION_RUN', run!.id);

    const operation = await submit(server, { method: 'RESET', objectIds: objectIds('MailContact', ids) });
    const waiting = await eventually(async () => {
      const current = await loadStatus(server, operation.id);
      return current.statusReason ? current : undefined;
    }, 20_000, 'waiting status reason');
    expect(waiting.status).toBe('QUEUED');
    expect(waiting.statusReason).toContain(`synchronization run ${run!.id}`);
    expect(await outstandingIn(owner)).toBe(20);

    // An overlapping operation is refused at once, naming the objects the waiting one holds.
    const overlapping = await rework(server, { method: 'DELETE', objectIds: objectIds('MailContact', ids.slice(15)) });
    expect(overlapping.errors[0].__typename).toBe('ObjectsBusyError');
    expect(overlapping.errors[0].busyObjects).toHaveLength(5);
    expect(overlapping.errors[0].busyObjects[0].bulkOperation.id).toBe(operation.id);

    await db.update(synchronizationRuns).set({ status: 'SUCCEEDED', finishedAt: new Date() }).where(sql`id = ${run!.id}`);
    await releaseTenant(db, owner.tenant.id, 'SYNCHRONIZATION_RUN', run!.id);
    const done = await waitForFinal(server, operation.id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.statusReason).toBeNull();
    expect(await outstandingIn(owner)).toBe(0);
  });

  test('BULK finds changes made while it waited', async () => {
    const owner = await insertTenant(database(server));
    const db = database(server);
    const groups = [];
    for (let index = 0; index < 3; index++) groups.push(await insertObject(db, owner, { table: 'DistributionGroup', outstanding: true }));
    const contact = await insertObject(db, owner, { table: 'MailContact', outstanding: true });
    const [run] = await db
      .insert(synchronizationRuns)
      .values({ tenantId: owner.tenant.id, targetSystemId: owner.targetSystem.id, requestedBy: 'test', status: 'RUNNING', source: {} })
      .returning();
    await claimTenant(db, owner.tenant.id, 'SYNCHRONIZATION_RUN', run!.id);

    const operation = await submit(server, {
      method: 'DELETE',
      objectIds: [...groups.map((group) => globalId('DistributionGroup', group.id)), globalId('MailContact', contact.id)],
      continueOnError: true,
    });
    await eventually(async () => ((await loadStatus(server, operation.id)).statusReason ? true : undefined), 20_000, 'waiting status reason');

    // Meanwhile the run gives the second group an inherited membership and finds the contact again.
    const member = await insertObject(db, owner, { table: 'MailUser' });
    await insertMembership(db, owner, groups[1]!, member, { isIndirect: true });
    await db.execute(sql`update objects set outstanding_since = null, outstanding_cause = null where id = ${contact.id}`);
    await db.update(synchronizationRuns).set({ status: 'SUCCEEDED', finishedAt: new Date() }).where(sql`id = ${run!.id}`);
    await releaseTenant(db, owner.tenant.id, 'SYNCHRONIZATION_RUN', run!.id);

    const done = await waitForFinal(server, operation.id);
    expect(done.status).toBe('FAILED');
    expect(done.rolledBack).toBe(true);
    expect(done.failed).toBe(2);
    const failures = done.failures.edges.map((edge: any) => [edge.node.object.id, edge.node.code]);
    expect(failures).toEqual(
      expect.arrayContaining([
        [globalId('DistributionGroup', groups[1]!.id), 'HAS_INDIRECT_MEMBERSHIPS'],
        [globalId('MailContact', contact.id), 'NOT_OUTSTANDING'],
      ]),
    );
    expect(await count(server, sql`select count(*) from objects where id in (${sql.join(groups.map((group) => sql`${group.id}`), sql`, `)})`)).toBe(3);
  });

  test('racing operations on overlapping objects change each object once', async () => {
    const { owner, ids } = await tenantWith(300);
    const first = objectIds('MailContact', ids.slice(0, 200));
    const second = objectIds('MailContact', ids.slice(100, 300));
    const payloads = await Promise.all([rework(server, { method: 'RESET', objectIds: first }), rework(server, { method: 'RESET', objectIds: second })]);

    const accepted = payloads.filter((payload) => payload.errors.length === 0);
    const rejected = payloads.filter((payload) => payload.errors.length > 0);
    expect(accepted).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    // Busy while the first runs, or no longer outstanding when it finished before the second was checked.
    expect(['OBJECTS_BUSY', 'NOT_OUTSTANDING']).toContain(rejected[0].errors[0].code);
    expect((await waitForFinal(server, accepted[0].bulkOperation.id)).status).toBe('SUCCEEDED');

    const resets = await count(
      server,
      sql`select count(*) from audit_events where action = 'rework.reset' and outcome = 'SUCCEEDED' and subject_id in (select id::text from objects where tenant_id = ${owner.tenant.id})`,
    );
    expect(resets).toBe(200);
    expect(await outstandingIn(owner)).toBe(100);
  });

  test('cancel of a queued operation changes nothing', async () => {
    const { owner, ids } = await tenantWith(10);
    const db = database(server);
    const [run] = await db
      .insert(synchronizationRuns)
      .values({ tenantId: owner.tenant.id, targetSystemId: owner.targetSystem.id, requestedBy: 'test', status: 'RUNNING', source: {} })
      .returning();
    await claimTenant(db, owner.tenant.id, 'SYNCHRONIZATION_RUN', run!.id);
    try {
      const operation = await submit(server, { method: 'DELETE', objectIds: objectIds('MailContact', ids) });
      const canceled = await server.query(`mutation($input: CancelBulkOperationInput!) { cancelBulkOperation(input: $input) { bulkOperation { status statusReason cancelRequested } errors { code message } } }`, {
        input: { id: operation.id },
      });
      expect(canceled.cancelBulkOperation.errors).toEqual([]);
      expect(canceled.cancelBulkOperation.bulkOperation.status).toBe('CANCELED');
      expect(canceled.cancelBulkOperation.bulkOperation.statusReason).toContain('before it started');
      expect(await count(server, sql`select count(*) from objects where tenant_id = ${owner.tenant.id}`)).toBe(10);
      expect(await count(server, sql`select count(*) from object_claims where bulk_operation_id = ${operationId(operation.id)}`)).toBe(0);

      const again = await server.query(`mutation($input: CancelBulkOperationInput!) { cancelBulkOperation(input: $input) { bulkOperation { status } errors { code message } } }`, {
        input: { id: operation.id },
      });
      expect(again.cancelBulkOperation.errors[0].code).toBe('ALREADY_FINISHED');
      expect(again.cancelBulkOperation.errors[0].message).toContain('CANCELED');
      expect(again.cancelBulkOperation.errors[0].message).toContain(operation.id);

      const missing = globalId('BulkOperation', 99999999);
      const unknown = await server.query(`mutation($input: CancelBulkOperationInput!) { cancelBulkOperation(input: $input) { errors { code message } } }`, {
        input: { id: missing },
      });
      expect(unknown.cancelBulkOperation.errors[0].code).toBe('NOT_FOUND');
      expect(unknown.cancelBulkOperation.errors[0].message).toContain(missing);
    } finally {
      await releaseTenant(db, owner.tenant.id, 'SYNCHRONIZATION_RUN', run!.id);
    }
  });

  test('cancel of a running BULK operation rolls back', async () => {
    const { owner } = await tenantWith(30_000);

    // A WebSocket client authenticates when it connects, so on PGlite it is served while the BULK
    // transaction holds the database: progress from memory, the cancel without a read. It
    // connects before the operation starts, as a client that keeps its socket open does.
    const client = createClient({
      url: server.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: server.headers().authorization },
      lazy: false,
      retryAttempts: 0,
    });
    await wsQuery(client, '{ __typename }');
    const operation = await submit(server, { method: 'RESET', filter: { tenants: [globalId('Tenant', owner.tenant.id)] } });
    try {
      const canceled = await new Promise<any>((resolve, reject) => {
        let sent = false;
        const unsubscribe = client.subscribe<any>(
          { query: `subscription($id: ID!) { bulkOperationProgress(id: $id) { status processed } }`, variables: { id: operation.id } },
          {
            next: (value) => {
              const progress = value.data?.bulkOperationProgress;
              if (sent || progress?.status !== 'RUNNING' || progress.processed === 0) return;
              sent = true;
              client.subscribe<any>(
                { query: `mutation($input: CancelBulkOperationInput!) { cancelBulkOperation(input: $input) { bulkOperation { status } errors { code } } }`, variables: { input: { id: operation.id } } },
                { next: (result) => resolve(result.data?.cancelBulkOperation ?? result), error: reject, complete: () => undefined },
              );
            },
            error: reject,
            complete: () => {
              unsubscribe();
              if (!sent) reject(new Error('the operation finished before a running state was seen'));
            },
          },
        );
      });
      expect(canceled.errors).toEqual([]);
    } finally {
      await client.dispose();
    }
    const done = await waitForFinal(server, operation.id);
    expect(done.status).toBe('CANCELED');
    expect(done.rolledBack).toBe(true);
    expect(done.processed).toBeLessThan(30_000);
    expect(done.statusReason).toContain('rolled back');
    expect(await outstandingIn(owner)).toBe(30_000);
  });

  test('cancel of a running SEQUENTIAL operation keeps what it saved', async () => {
    const { owner, ids } = await tenantWith(1000);
    const operation = await submit(server, { method: 'RESET', objectIds: objectIds('MailContact', ids), processing: 'SEQUENTIAL' });
    await eventually(async () => ((await loadStatus(server, operation.id)).succeeded > 0 ? true : undefined), 20_000, 'first saved object');
    await server.query(`mutation($input: CancelBulkOperationInput!) { cancelBulkOperation(input: $input) { errors { code } } }`, { input: { id: operation.id } });
    const done = await waitForFinal(server, operation.id);
    expect(done.status).toBe('CANCELED');
    expect(done.rolledBack).toBe(false);
    expect(done.succeeded).toBeGreaterThan(0);
    expect(done.succeeded).toBeLessThan(1000);
    expect(await outstandingIn(owner)).toBe(1000 - done.succeeded);
  });
});
