/**
 * A token limited to tenant A, next to a tenant B with objects, runs and operations of its own:
 * everything of B looks to it exactly like something that does not exist.
 */
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bulkOperations, synchronizationRuns } from '../../src/db/schema.ts';
import { globalId, insertOutstandingObjects, insertTenant, type TenantFixture } from '../support/fixtures.ts';
import { testDatabaseKinds } from '../support/databases.ts';
import { collectSse, startTestServer, type TestServer } from '../support/server.ts';

const MISSING = 999_999;

describe.each(testDatabaseKinds())('tenant isolation on %s', (kind) => {
  let server: TestServer;
  let a: TenantFixture;
  let b: TenantFixture;
  let objectsOfA: number[];
  let objectsOfB: number[];
  let runOfB: number;
  let operationOfB: number;
  let operationOfA: number;
  let operationWithoutTenant: number;
  let operatorOfA: string;
  let adminOfA: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    const db = server.server.runtime.services.db;
    a = await insertTenant(db, { name: `Alpha-${kind}` });
    b = await insertTenant(db, { name: `Beta-${kind}` });
    objectsOfA = await insertOutstandingObjects(db, a, 'MailUser', 2);
    objectsOfB = await insertOutstandingObjects(db, b, 'MailUser', 3);
    const [run] = await db.insert(synchronizationRuns).values({ tenantId: b.tenant.id, targetSystemId: b.targetSystem.id, requestedBy: 'test', source: { test: true } }).returning();
    runOfB = run!.id;
    const [operation] = await db
      .insert(bulkOperations)
      .values({ kind: 'REWORK', method: 'DELETE', processing: 'BULK', requestedBy: 'test', tenantIds: [b.tenant.id] })
      .returning();
    operationOfB = operation!.id;
    const [own] = await db
      .insert(bulkOperations)
      .values({ kind: 'REWORK', method: 'RESET', processing: 'BULK', requestedBy: 'test', tenantIds: [a.tenant.id] })
      .returning();
    operationOfA = own!.id;
    // An operation that names no tenant is hidden from every tenant-limited token.
    const [untenanted] = await db
      .insert(bulkOperations)
      .values({ kind: 'REWORK', method: 'RESET', processing: 'BULK', requestedBy: 'test', tenantIds: [] })
      .returning();
    operationWithoutTenant = untenanted!.id;
    operatorOfA = await server.createToken('operator', [a.tenant.name]);
    adminOfA = await server.createToken('admin', [a.tenant.name]);
  });
  afterAll(async () => {
    await server?.close();
  });

  test('lists and counts show only the tenants of the token', async () => {
    const data = await server.query(
      `{
        tenants { totalCount edges { node { name outstandingCount } } }
        outstandingObjects { totalCount }
        syncTables(first: 100) { edges { node { name outstandingCount } } }
        targetSystemTypes { edges { node { name outstandingCount } } }
      }`,
      undefined,
      { token: operatorOfA },
    );
    expect(data.tenants).toEqual({ totalCount: 1, edges: [{ node: { name: a.tenant.name, outstandingCount: 2 } }] });
    expect(data.outstandingObjects.totalCount).toBe(2);
    expect(data.syncTables.edges.find((edge: any) => edge.node.name === 'MailUser').node.outstandingCount).toBe(2);
    expect(data.targetSystemTypes.edges[0].node.outstandingCount).toBe(2);

    // The same query without a limit sees both tenants, so the numbers above come from the limit.
    const all = await server.query('{ tenants { totalCount } outstandingObjects { totalCount } }');
    expect(all).toEqual({ tenants: { totalCount: 2 }, outstandingObjects: { totalCount: 5 } });
  });

  test("node lookups of B's objects answer exactly like IDs that do not exist", async () => {
    const cases: [string, number][] = [
      ['Tenant', b.tenant.id],
      ['TargetSystem', b.targetSystem.id],
      ['MailUser', objectsOfB[0]!],
      ['SynchronizationRun', runOfB],
      ['BulkOperation', operationOfB],
      ['BulkOperation', operationWithoutTenant],
    ];
    const describeAnswer = async (typename: string, id: number) => {
      const result = await server.graphql('query($id: ID!) { node(id: $id) { id } }', { id: globalId(typename, id) }, { token: operatorOfA });
      const message = result.errors?.[0]?.message.replace(globalId(typename, id), '<id>');
      return { data: result.data, code: result.errors?.[0]?.extensions?.code, message };
    };
    for (const [typename, id] of cases) {
      const hidden = await describeAnswer(typename, id);
      expect(hidden, typename).toEqual(await describeAnswer(typename, MISSING));
      expect(hidden.code, typename).toBe('NOT_FOUND');
    }
    const own = await server.query('query($id: ID!) { node(id: $id) { id } }', { id: globalId('MailUser', objectsOfA[0]!) }, { token: operatorOfA });
    expect(own.node).toEqual({ id: globalId('MailUser', objectsOfA[0]!) });
    const ownOperation = await server.query('query($id: ID!) { node(id: $id) { id } }', { id: globalId('BulkOperation', operationOfA) }, { token: operatorOfA });
    expect(ownOperation.node).toEqual({ id: globalId('BulkOperation', operationOfA) });

    const many = await server.graphql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: [globalId('Tenant', a.tenant.id), globalId('Tenant', b.tenant.id)] }, { token: operatorOfA });
    expect(many.data?.nodes).toEqual([{ id: globalId('Tenant', a.tenant.id) }, null]);
    expect(many.errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
  });

  const REWORK = `mutation($input: ReworkOutstandingObjectsInput!) {
    reworkOutstandingObjects(input: $input) { preview { total } errors { code message } }
  }`;

  test("a rework naming B's object gets the unknown-id error, like an object that does not exist", async () => {
    const answer = async (id: number) =>
      (await server.query(REWORK, { input: { method: 'DELETE', objectIds: [globalId('MailUser', id)], dryRun: true } }, { token: operatorOfA }))
        .reworkOutstandingObjects;
    const hidden = await answer(objectsOfB[0]!);
    expect(hidden.preview).toBeNull();
    expect(hidden.errors).toHaveLength(1);
    expect(hidden.errors[0].code).toBe('NOT_FOUND');
    const missing = await answer(MISSING);
    expect(hidden.errors[0].message.replace(String(objectsOfB[0]), '<id>').replace(globalId('MailUser', objectsOfB[0]!), '<id>')).toBe(
      missing.errors[0].message.replace(String(MISSING), '<id>').replace(globalId('MailUser', MISSING), '<id>'),
    );
  });

  test('a rework by filter selects only objects of the tenants of the token', async () => {
    const limited = await server.query(REWORK, { input: { method: 'DELETE', filter: {}, dryRun: true } }, { token: operatorOfA });
    expect(limited.reworkOutstandingObjects).toEqual({ preview: { total: 2 }, errors: [] });
    const naming = async (tenantId: number) =>
      (await server.query(REWORK, { input: { method: 'DELETE', filter: { tenants: [globalId('Tenant', tenantId)] }, dryRun: true } }, { token: operatorOfA }))
        .reworkOutstandingObjects;
    const hidden = await naming(b.tenant.id);
    expect(hidden.preview).toBeNull();
    expect(hidden.errors.map((error: any) => error.code)).toEqual(['NOT_FOUND']);
    const missing = await naming(MISSING);
    expect(hidden.errors[0].message.replace(globalId('Tenant', b.tenant.id), '<id>')).toBe(missing.errors[0].message.replace(globalId('Tenant', MISSING), '<id>'));
  });

  test("synchronizing B is answered like synchronizing a tenant that is not registered", async () => {
    const SYNCHRONIZE = 'mutation($input: SynchronizeInput!) { synchronize(input: $input) { errors { code message } } }';
    const answer = async (tenant: string) =>
      (await server.query(SYNCHRONIZE, { input: { tenant, snapshotId: 'none' } }, { token: operatorOfA })).synchronize.errors;
    const hidden = await answer(b.tenant.name);
    expect(hidden.map((error: any) => error.code)).toEqual(['UNKNOWN_TENANT']);
    const missing = await answer('Nowhere');
    expect(hidden[0].message.replace(b.tenant.name, '<name>')).toBe(missing[0].message.replace('Nowhere', '<name>'));
  });

  test('bulk operations list only those of the tenants of the token', async () => {
    const LIST = '{ bulkOperations(first: 100) { totalCount edges { node { id } } } }';
    const limited = (await server.query(LIST, undefined, { token: operatorOfA })).bulkOperations;
    expect(limited.edges.map((edge: any) => edge.node.id)).toEqual([globalId('BulkOperation', operationOfA)]);
    expect(limited.totalCount).toBe(1);

    // Without a limit the same list contains all three, so the limit hid the others above.
    const all = (await server.query(LIST)).bulkOperations;
    expect(all.totalCount).toBe(3);
  });

  test('canceling an operation outside the limit answers like a missing one', async () => {
    const CANCEL = 'mutation($input: CancelBulkOperationInput!) { cancelBulkOperation(input: $input) { bulkOperation { id } errors { code message } } }';
    const answer = async (id: number) =>
      (await server.query(CANCEL, { input: { id: globalId('BulkOperation', id) } }, { token: operatorOfA })).cancelBulkOperation;
    const missing = await answer(MISSING);
    expect(missing.errors.map((error: any) => error.code)).toEqual(['NOT_FOUND']);
    for (const id of [operationOfB, operationWithoutTenant]) {
      const hidden = await answer(id);
      expect(hidden.bulkOperation, String(id)).toBeNull();
      expect(hidden.errors[0].message.replace(globalId('BulkOperation', id), '<id>'), String(id)).toBe(
        missing.errors[0].message.replace(globalId('BulkOperation', MISSING), '<id>'),
      );
    }
    const db = server.server.runtime.services.db;
    const rows = await db.select().from(bulkOperations).where(inArray(bulkOperations.id, [operationOfB, operationWithoutTenant])).orderBy(bulkOperations.id);
    expect(rows.map((row) => [row.status, row.cancelRequested])).toEqual([
      ['QUEUED', false],
      ['QUEUED', false],
    ]);
  });

  test("subscriptions to B's run and operation are not found", async () => {
    const client = server.sseClient({ token: operatorOfA });
    try {
      await expect(
        collectSse(client, 'subscription($id: ID!) { synchronizationRunProgress(id: $id) { id } }', { id: globalId('SynchronizationRun', runOfB) }, 10_000),
      ).rejects.toThrow(/NOT_FOUND/);
      for (const id of [operationOfB, operationWithoutTenant]) {
        await expect(
          collectSse(client, 'subscription($id: ID!) { bulkOperationProgress(id: $id) { id } }', { id: globalId('BulkOperation', id) }, 10_000),
        ).rejects.toThrow(/NOT_FOUND/);
      }
    } finally {
      client.dispose();
    }
  });

  test("a tenant-limited admin changes its own tenant but not B's, and no shared settings", async () => {
    const UPDATE = 'mutation($input: UpdateTenantInput!) { updateTenant(input: $input) { tenant { primaryDomain } errors { code message } } }';
    const own = await server.query(UPDATE, { input: { id: globalId('Tenant', a.tenant.id), version: a.tenant.version, primaryDomain: 'alpha-new.example.com' } }, { token: adminOfA });
    expect(own.updateTenant).toEqual({ tenant: { primaryDomain: 'alpha-new.example.com' }, errors: [] });

    const other = await server.query(UPDATE, { input: { id: globalId('Tenant', b.tenant.id), version: b.tenant.version, primaryDomain: 'beta-new.example.com' } }, { token: adminOfA });
    expect(other.updateTenant.tenant).toBeNull();
    expect(other.updateTenant.errors).toEqual([{ code: 'NOT_FOUND', message: `Tenant ${b.tenant.id} not found. List the tenants with the \`tenants\` query.` }]);

    const shared = [
      ['createTenant', 'mutation { createTenant(input: { name: "Gamma", primaryDomain: "gamma.example.com" }) { errors { code } } }'],
      ['createManageLevel', 'mutation { createManageLevel(input: { name: "Partly managed", inheritsGroups: false }) { errors { code } } }'],
    ];
    for (const [field, document] of shared) {
      const result = await server.graphql(document!, undefined, { token: adminOfA });
      expect(result.errors?.[0]?.extensions?.code, field).toBe('FORBIDDEN');
      expect(result.errors?.[0]?.message, field).toContain('needs the admin role without a tenant limit (yours: admin limited to some tenants)');
    }
  });
});
