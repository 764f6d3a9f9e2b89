/**
 * Provisioning of published objects through the HTTP connector, against the fake Exchange Online
 * admin API (token endpoint included) on 127.0.0.1: retries of throttling and server errors, a
 * permanent rejection, and retryProvisioning.
 */
import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { targetSystems, tenants } from '../../src/db/schema.ts';
import { testDatabaseKinds } from '../support/databases.ts';
import { startFakeExchangeAdminApi, type FakeExchangeAdminApi } from '../support/fake-exchange-admin-api.ts';
import { globalId, insertObject, setPublishing, type TenantFixture } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { count, database, eventually, submit, waitForFinal } from './helpers.ts';

const PROVISIONING = `query($id: ID!) { node(id: $id) { ... on TargetSystemObject { outstanding { markedAt } provisioning { status message } logEntries(first: 5) { edges { node { method message } } } } } }`;
const RETRY = `mutation($input: RetryProvisioningInput!) { retryProvisioning(input: $input) { objects { id provisioning { status } } errors { code message path } } }`;

describe.each(testDatabaseKinds())('provisioning over the Exchange Online admin API on %s', (kind) => {
  let server: TestServer;
  let fake: FakeExchangeAdminApi;
  let owner: TenantFixture;

  beforeAll(async () => {
    fake = await startFakeExchangeAdminApi({ tenantId: 'contoso-provisioning.onmicrosoft.com' });
    server = await startTestServer(kind, { env: { SECRET_KEY: randomBytes(32).toString('base64') } });
    const created = await server.query(
      `mutation($input: CreateTenantInput!) { createTenant(input: $input) { tenant { id } errors { code message } } }`,
      {
        input: {
          name: 'Contoso provisioning',
          primaryDomain: fake.tenantId,
          connector: { mode: 'HTTP', writeAccess: true, baseUrl: fake.url, tokenEndpoint: fake.tokenEndpoint, clientId: fake.clientId, clientSecret: fake.clientSecret },
        },
      },
    );
    expect(created.createTenant.errors).toEqual([]);
    const db = database(server);
    const [tenant] = await db.select().from(tenants).where(eq(tenants.name, 'Contoso provisioning'));
    const [targetSystem] = await db.select().from(targetSystems).where(eq(targetSystems.tenantId, tenant!.id));
    owner = { tenant: tenant!, targetSystem: targetSystem! };
    await setPublishing(db, 'MailContact', true);
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  const contact = (name: string) =>
    insertObject(database(server), owner, {
      table: 'MailContact',
      outstanding: true,
      displayName: name,
      properties: { Name: name, DisplayName: name, ExternalEmailAddress: `SMTP:${name.toLowerCase().replace(/\W/g, '')}-${Date.now()}@fabrikam.com` },
    });
  const state = async (id: number) => (await server.query(PROVISIONING, { id: globalId('MailContact', id) })).node;
  const invokesFor = (name: string) => fake.calls.filter((call) => call.endpoint === 'invoke' && call.parameters?.Name === name);

  test('throttling and a server error are retried until the publish succeeds', async () => {
    const object = await contact('Retried Contact');
    fake.failNext(1, { status: 429, retryAfterSeconds: 1, code: 'TooManyRequests', message: 'Rate limit exceeded.' });
    fake.failNext(1, { status: 503, message: 'Service unavailable.' });

    const operation = await submit(server, { method: 'PUBLISH', objectIds: [globalId('MailContact', object.id)] });
    expect((await waitForFinal(server, operation.id)).status).toBe('SUCCEEDED');
    const published = await eventually(async () => {
      const current = await state(object.id);
      return current.provisioning.status === 'PENDING' ? undefined : current;
    }, 45_000, 'provisioning outcome');

    expect(published.provisioning).toEqual({ status: 'SUCCEEDED', message: 'New-MailContact succeeded' });
    expect(published.outstanding).toBeNull();
    expect(invokesFor('Retried Contact').map((call) => call.status)).toEqual([429, 503, 200]);
    expect(fake.calls.filter((call) => call.endpoint === 'token').length).toBeGreaterThanOrEqual(1);
    expect(await count(server, sql`select count(*) from jobs where queue = 'provisioning' and (payload ->> 'objectId')::bigint = ${object.id} and status = 'SUCCEEDED' and attempts = 3`)).toBe(1);
    expect(published.logEntries.edges[0].node.message).toContain('Provisioning succeeded');
  });

  test('a permanent rejection fails at once with the message, and can be retried', async () => {
    const object = await contact('Rejected Contact');
    fake.failNext(1, { status: 400, code: 'BadRequest', message: 'The proxy address is already being used.' });

    const operation = await submit(server, { method: 'PUBLISH', objectIds: [globalId('MailContact', object.id)] });
    expect((await waitForFinal(server, operation.id)).status).toBe('SUCCEEDED');
    const failed = await eventually(async () => {
      const current = await state(object.id);
      return current.provisioning.status === 'PENDING' ? undefined : current;
    }, 30_000, 'provisioning outcome');
    expect(failed.provisioning.status).toBe('FAILED');
    expect(failed.provisioning.message).toContain('HTTP 400');
    expect(failed.provisioning.message).toContain('already being used');
    expect(invokesFor('Rejected Contact')).toHaveLength(1);
    expect(failed.logEntries.edges[0].node).toMatchObject({ method: 'PUBLISH' });
    expect(failed.logEntries.edges[0].node.message).toContain('Provisioning failed');
    expect(await count(server, sql`select count(*) from audit_events where action = 'provisioning.publish' and outcome = 'FAILED' and subject_id = ${String(object.id)}`)).toBe(1);

    const retried = await server.query(RETRY, { input: { objectIds: [globalId('MailContact', object.id)] } });
    expect(retried.retryProvisioning.errors).toEqual([]);
    expect(retried.retryProvisioning.objects).toEqual([{ id: globalId('MailContact', object.id), provisioning: { status: 'PENDING' } }]);
    const succeeded = await eventually(async () => {
      const current = await state(object.id);
      return current.provisioning.status === 'SUCCEEDED' ? current : undefined;
    }, 30_000, 'retried provisioning');
    expect(succeeded.provisioning.message).toBe('New-MailContact succeeded');
    expect(invokesFor('Rejected Contact').map((call) => call.status)).toEqual([400, 200]);
  });

  test('retryProvisioning rejects objects whose provisioning did not fail', async () => {
    const pending = await insertObject(database(server), owner, { table: 'MailContact', provisioning: { status: 'SUCCEEDED' } });
    const outstanding = await insertObject(database(server), owner, { table: 'MailContact', outstanding: true, provisioning: { status: 'FAILED', message: 'old failure' } });

    const notFailed = await server.query(RETRY, { input: { objectIds: [globalId('MailContact', pending.id)] } });
    expect(notFailed.retryProvisioning.objects).toBeNull();
    expect(notFailed.retryProvisioning.errors[0]).toMatchObject({ code: 'PROVISIONING_NOT_FAILED', path: ['input', 'objectIds', '0'] });
    expect(notFailed.retryProvisioning.errors[0].message).toContain('SUCCEEDED');
    expect(notFailed.retryProvisioning.errors[0].message).toContain(globalId('MailContact', pending.id));

    const frozen = await server.query(RETRY, { input: { objectIds: [globalId('MailContact', outstanding.id)] } });
    expect(frozen.retryProvisioning.errors[0].code).toBe('FROZEN_OBJECT');
    expect(frozen.retryProvisioning.errors[0].message).toContain('PUBLISH');

    const unknown = await server.query(RETRY, { input: { objectIds: [globalId('MailContact', 99999999)] } });
    expect(unknown.retryProvisioning.errors[0].code).toBe('NOT_FOUND');
    expect(unknown.retryProvisioning.errors[0].message).toContain(globalId('MailContact', 99999999));

    const failed = await insertObject(database(server), owner, { table: 'MailUser', provisioning: { status: 'FAILED', message: 'old failure' } });
    const otherKind = await server.query(RETRY, { input: { objectIds: [globalId('MailContact', failed.id)] } });
    expect(otherKind.retryProvisioning.errors[0].code).toBe('NOT_FOUND');
    expect(await count(server, sql`select count(*) from objects where id = ${failed.id} and provisioning_status = 'FAILED'`)).toBe(1);
  });
});
