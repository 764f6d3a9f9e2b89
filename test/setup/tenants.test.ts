import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/sql.ts';
import { connectorForTargetSystem } from '../../src/domain/connectors.ts';
import { targetSystemOf } from '../../src/domain/tenants.ts';
import { testDatabaseKinds } from '../support/databases.ts';
import { startFakeExchangeAdminApi, type FakeExchangeAdminApi } from '../support/fake-exchange-admin-api.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { auditOf, databaseId, mutate, newSecretKey, startLoggedServer, synchronizedTenant, type LoggedServer } from './support.ts';

const TENANT_FIELDS = `tenant { id name primaryDomain version objectCount accountCounts { notLinked linked linkedConfigured }
  targetSystem { connectorMode writeAccess baseUrl tokenEndpoint clientId hasClientSecret version } }`;
const SECRET = 'Qx7~s3cr3t-value-that-must-never-show';

describe.each(testDatabaseKinds())('tenants on %s', (kind) => {
  let server: LoggedServer;
  let fake: FakeExchangeAdminApi;
  const responses: string[] = [];

  const create = async (input: Record<string, unknown>) => {
    const payload = await mutate(server, 'createTenant', 'CreateTenantInput', TENANT_FIELDS, input);
    responses.push(JSON.stringify(payload));
    return payload;
  };
  const update = async (input: Record<string, unknown>) => {
    const payload = await mutate(server, 'updateTenant', 'UpdateTenantInput', TENANT_FIELDS, input);
    responses.push(JSON.stringify(payload));
    return payload;
  };
  const httpSettings = () => ({ mode: 'HTTP', writeAccess: true, baseUrl: fake.url, tokenEndpoint: fake.tokenEndpoint, clientId: fake.clientId });

  beforeAll(async () => {
    fake = await startFakeExchangeAdminApi({ tenantId: 'fabrikam.com', clientSecret: SECRET });
    server = await startLoggedServer(kind, { env: { SECRET_KEY: newSecretKey() } });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  test('createTenant defaults to the simulated connector', async () => {
    const payload = await create({ name: 'Contoso', primaryDomain: 'contoso.com' });
    expect(payload.errors).toEqual([]);
    expect(payload.tenant.version).toBe(1);
    expect(payload.tenant.objectCount).toBe(0);
    expect(payload.tenant.accountCounts).toEqual({ notLinked: 0, linked: 0, linkedConfigured: 0 });
    expect(payload.tenant.targetSystem).toMatchObject({ connectorMode: 'SIMULATED', writeAccess: true, baseUrl: null, hasClientSecret: false });

    const audit = await auditOf(server, 'tenant.create');
    expect(audit.at(-1)).toMatchObject({ outcome: 'SUCCEEDED', actor: expect.stringMatching(/^token:.*test-admin$/) });
  });

  test('createTenant stores an HTTP connector with an encrypted secret', async () => {
    const payload = await create({ name: 'Fabrikam', primaryDomain: 'fabrikam.com', connector: { ...httpSettings(), clientSecret: SECRET } });
    expect(payload.errors).toEqual([]);
    expect(payload.tenant.targetSystem).toMatchObject({ connectorMode: 'HTTP', baseUrl: fake.url, clientId: fake.clientId, hasClientSecret: true });

    const [stored] = await queryRows<{ encrypted_secret: string }>(
      server.server.runtime.services.db,
      sql`select encrypted_secret from target_systems where tenant_id = ${databaseId(payload.tenant.id)}`,
    );
    expect(stored!.encrypted_secret.startsWith('v1:')).toBe(true);
    expect(stored!.encrypted_secret).not.toContain(SECRET);
  });

  test('the stored secret authorizes the HTTP connector', async () => {
    const { db } = server.server.runtime.services;
    const [row] = await queryRows<{ id: number | string }>(db, sql`select id from tenants where name = 'Fabrikam'`);
    const system = await targetSystemOf(db, Number(row!.id));
    const connector = await connectorForTargetSystem(server.server.runtime.services, system);
    const result = await connector.provision({
      tableName: 'MailContact',
      objectKey: '9a7b6c5d-0000-4000-8000-000000000001',
      properties: { Name: 'Partner 1', DisplayName: 'Partner 1', ExternalEmailAddress: 'SMTP:partner1@tailspintoys.com' },
    });
    expect(result.message).toContain('New-MailContact');
    expect(fake.calls.find((call) => call.endpoint === 'token')?.status).toBe(200);
  });

  test('simulated connector uses the primary domain as its organization', async () => {
    const { db } = server.server.runtime.services;
    const [row] = await queryRows<{ id: number | string }>(db, sql`select id from tenants where name = 'Contoso'`);
    const connector = await connectorForTargetSystem(server.server.runtime.services, (await targetSystemOf(db, Number(row!.id))).id);
    expect(connector.writeAccess).toBe(true);
    const { simulatedOrganizations } = await import('../../src/connectors/exchange-online/simulated-connector.ts');
    // Both database runs share this process's simulated organizations, so the contact is per run.
    const key = `contact-${kind}`;
    await connector.provision({ tableName: 'MailContact', objectKey: key, properties: { Name: key, DisplayName: key, ExternalEmailAddress: `SMTP:${key}@adatum.com` } });
    expect(simulatedOrganizations.get('contoso.com')?.recipients.has(key)).toBe(true);
  });

  test('createTenant rejects invalid connector settings', async () => {
    const cases: [Record<string, unknown>, string[], string][] = [
      [{ ...httpSettings(), baseUrl: 'http://exchange.example.com' }, ['input', 'connector', 'baseUrl'], 'https'],
      [{ mode: 'HTTP', baseUrl: fake.url, clientId: 'app' }, ['input', 'connector', 'tokenEndpoint'], 'Missing connector setting tokenEndpoint'],
      [{ mode: 'SIMULATED', baseUrl: fake.url }, ['input', 'connector', 'baseUrl'], 'applies to the HTTP connector only'],
    ];
    for (const [index, [connector, path, message]] of cases.entries()) {
      const payload = await create({ name: `Invalid ${index}`, primaryDomain: 'invalid.com', connector });
      expect(payload.tenant).toBeNull();
      expect(payload.errors[0].code).toBe('INVALID_INPUT');
      expect(payload.errors[0].path).toEqual(path);
      expect(payload.errors[0].message).toContain(message);
    }
    const rejected = await auditOf(server, 'tenant.create');
    expect(rejected.filter((row) => row.outcome === 'REJECTED')).toHaveLength(3);
  });

  test('createTenant rejects a duplicate name', async () => {
    const payload = await create({ name: 'Contoso', primaryDomain: 'contoso.net' });
    expect(payload.errors).toMatchObject([{ code: 'ALREADY_EXISTS', path: ['input', 'name'] }]);
  });

  test('updateTenant keeps the secret and bumps the version', async () => {
    const before = (await server.query(`{ tenants { edges { node { id name version } } } }`)).tenants.edges.find((edge: any) => edge.node.name === 'Fabrikam').node;
    const payload = await update({ id: before.id, version: before.version, connector: { writeAccess: false } });
    expect(payload.errors).toEqual([]);
    expect(payload.tenant.version).toBe(before.version + 1);
    expect(payload.tenant.targetSystem).toMatchObject({ connectorMode: 'HTTP', writeAccess: false, hasClientSecret: true, baseUrl: fake.url });

    const audit = (await auditOf(server, 'tenant.update')).at(-1)!;
    expect(audit.details.changes).toEqual(['connector.writeAccess']);
  });

  test('updateTenant to SIMULATED clears the HTTP settings', async () => {
    const payload = await create({ name: 'Tailspin', primaryDomain: 'tailspintoys.com', connector: { ...httpSettings(), clientSecret: SECRET } });
    const updated = await update({ id: payload.tenant.id, version: 1, name: 'Tailspin Toys', connector: { mode: 'SIMULATED' } });
    expect(updated.errors).toEqual([]);
    expect(updated.tenant.name).toBe('Tailspin Toys');
    expect(updated.tenant.targetSystem).toMatchObject({ connectorMode: 'SIMULATED', baseUrl: null, clientId: null, hasClientSecret: false });
  });

  test('updateTenant with a stale version is a conflict', async () => {
    const tenant = (await create({ name: 'Northwind', primaryDomain: 'northwindtraders.com' })).tenant;
    const first = await update({ id: tenant.id, version: 1, primaryDomain: 'northwind.com' });
    expect(first.errors).toEqual([]);
    const second = await update({ id: tenant.id, version: 1, name: 'Northwind Traders' });
    expect(second.tenant).toBeNull();
    expect(second.errors[0].code).toBe('CONFLICT');
    expect(second.errors[0].message).toContain('based on version 1, the current version is 2');

    const current = await server.query(`query ($id: ID!) { node(id: $id) { ... on Tenant { name primaryDomain version } } }`, { id: tenant.id });
    expect(current.node).toEqual({ name: 'Northwind', primaryDomain: 'northwind.com', version: 2 });
  });

  test('updateTenant of an unknown tenant is not found', async () => {
    const payload = await update({ id: Buffer.from('Tenant:999999').toString('base64'), version: 1, name: 'Nobody' });
    expect(payload.errors).toMatchObject([{ code: 'NOT_FOUND' }]);
  });

  test('deleteTenant removes an empty tenant', async () => {
    const tenant = (await create({ name: 'Woodgrove', primaryDomain: 'woodgrovebank.com' })).tenant;
    const payload = await mutate(server, 'deleteTenant', 'DeleteTenantInput', 'deletedTenantId', { id: tenant.id });
    expect(payload).toEqual({ deletedTenantId: tenant.id, errors: [] });
    const lookup = await server.graphql(`query ($id: ID!) { node(id: $id) { id } }`, { id: tenant.id });
    expect(lookup.data?.node ?? null).toBeNull();
  });

  test('deleteTenant refuses a tenant that holds objects', async () => {
    const { tenantId } = await synchronizedTenant(server, 'Litware', { users: 2, contacts: 1 });
    const payload = await mutate(server, 'deleteTenant', 'DeleteTenantInput', 'deletedTenantId', { id: tenantId });
    expect(payload.deletedTenantId).toBeNull();
    expect(payload.errors[0].code).toBe('TENANT_NOT_EMPTY');
    // 2 mail users, 1 contact, 2 groups and 3 memberships.
    expect(payload.errors[0].message).toContain('it still holds 8 synchronized object(s)');
    expect((await auditOf(server, 'tenant.delete')).at(-1)).toMatchObject({ outcome: 'REJECTED' });
  });

  test('the client secret is never in a response or log line', async () => {
    const listed = await server.query(`{ tenants { edges { node { name targetSystem { connectorMode baseUrl tokenEndpoint clientId hasClientSecret } } } } }`);
    responses.push(JSON.stringify(listed));
    for (const response of responses) expect(response).not.toContain(SECRET);
    expect(server.logText()).toContain('tenant created');
    expect(server.logText()).not.toContain(SECRET);
    const audits = await queryRows(server.server.runtime.services.db, sql`select details::text as details from audit_events`);
    for (const row of audits) expect(String(row.details)).not.toContain(SECRET);
  });
});

describe.each(testDatabaseKinds())('tenants without SECRET_KEY on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server?.close();
  });

  test('storing a secret is a typed error', async () => {
    const payload = await mutate(server, 'createTenant', 'CreateTenantInput', 'tenant { id }', {
      name: 'Fabrikam',
      primaryDomain: 'fabrikam.com',
      connector: { mode: 'HTTP', baseUrl: 'https://outlook.office365.com', tokenEndpoint: 'https://login.microsoftonline.com/fabrikam.com/oauth2/v2.0/token', clientId: 'app', clientSecret: SECRET },
    });
    expect(payload.tenant).toBeNull();
    expect(payload.errors[0]).toMatchObject({ __typename: 'SecretKeyMissingError', code: 'SECRET_KEY_MISSING' });
    expect(payload.errors[0].message).toContain('Set SECRET_KEY');
  });

  test('HTTP settings without a secret are stored incomplete', async () => {
    const payload = await mutate(server, 'createTenant', 'CreateTenantInput', 'tenant { id targetSystem { connectorMode hasClientSecret } }', {
      name: 'Adatum',
      primaryDomain: 'adatum.com',
      connector: { mode: 'HTTP', writeAccess: false, baseUrl: 'https://exchange-admin.adatum.example', tokenEndpoint: 'https://login.adatum.example/token', clientId: 'app' },
    });
    expect(payload.errors).toEqual([]);
    expect(payload.tenant.targetSystem).toEqual({ connectorMode: 'HTTP', hasClientSecret: false });

    const { db } = server.server.runtime.services;
    const system = await targetSystemOf(db, databaseId(payload.tenant.id));
    await expect(connectorForTargetSystem(server.server.runtime.services, system)).rejects.toThrow('has no client secret');
  });
});
