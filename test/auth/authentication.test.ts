import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { createClient as createWsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { apiTokens, synchronizationRuns, targetSystems, tenants } from '../../src/db/schema.ts';
import { operatingSystemActor } from '../../src/domain/actor.ts';
import { createApiToken, revokeApiToken } from '../../src/domain/api-tokens.ts';
import { testDatabaseKinds } from '../support/databases.ts';
import { collectSse, collectWs, startTestServer, type RequestOptions, type TestServer } from '../support/server.ts';

const issuer = 'https://login.example.test/contoso/v2.0';
const audience = 'api://syncrework';

/** Serves a JWKS on 127.0.0.1, like an OpenID Connect provider's keys endpoint. */
async function startJwksServer(jwk: JWK): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`, server };
}

describe.each(testDatabaseKinds())('authentication on %s', (kind) => {
  let server: TestServer;
  let jwks: { url: string; server: Server };
  let privateKey: CryptoKey;

  beforeAll(async () => {
    const keys = await generateKeyPair('RS256');
    privateKey = keys.privateKey as CryptoKey;
    jwks = await startJwksServer({ ...(await exportJWK(keys.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' });
    server = await startTestServer(kind, { env: { OIDC_ISSUER: issuer, OIDC_AUDIENCE: audience, OIDC_JWKS_URL: jwks.url } });
  });
  afterAll(async () => {
    await server?.close();
    jwks?.server.close();
  });

  const signJwt = (claims: Record<string, unknown>, options: { issuer?: string; expiresIn?: string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuer(options.issuer ?? issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '10m')
      .sign(privateKey);

  async function expectRejected(token: string | null, message: RegExp) {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...server.headers({ token }) },
      body: JSON.stringify({ query: '{ tenants { totalCount } }' }),
    });
    expect(response.status).toBe(401);
    const body = await response.json();
    expect(body.errors[0].message).toMatch(message);
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  }

  test('missing token is rejected', async () => {
    await expectRejected(null, /Missing bearer token/);
  });

  test('malformed header is rejected', async () => {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic dXNlcjpwYXNz' },
      body: JSON.stringify({ query: '{ tenants { totalCount } }' }),
    });
    expect(response.status).toBe(401);
    expect((await response.json()).errors[0].message).toMatch(/Malformed Authorization header/);
  });

  test('unknown API token is rejected', async () => {
    await expectRejected('swk_not-a-real-token', /The API token is not valid/);
  });

  test('expired API token is rejected', async () => {
    const db = server.server.runtime.services.db;
    const { token, row } = await createApiToken(db, operatingSystemActor(), { name: 'soon-expired', role: 'viewer', expiresInDays: 1 });
    await db.update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.id, row.id));
    await expectRejected(token, /"soon-expired" expired on/);
  });

  test('revoked API token is rejected', async () => {
    const db = server.server.runtime.services.db;
    const { token, row } = await createApiToken(db, operatingSystemActor(), { name: 'to-revoke', role: 'viewer' });
    await revokeApiToken(db, operatingSystemActor(), row.id);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await expectRejected(token, /"to-revoke" was revoked/);
  });

  test('viewer cannot run a mutation', async () => {
    const viewer = await server.createToken('viewer');
    const result = await server.graphql(`mutation { createTenant(input: { name: "Nope", primaryDomain: "nope.com" }) { errors { code } } }`, {}, { token: viewer });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(result.errors?.[0]?.message).toMatch(/the mutation Mutation.createTenant needs the admin role without a tenant limit \(yours: viewer\)/);
  });

  test('viewer cannot cancel an operation', async () => {
    const viewer = await server.createToken('viewer');
    const result = await server.graphql('mutation { cancelBulkOperation(input: { id: "x" }) { errors { code } } }', {}, { token: viewer });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(result.errors?.[0]?.message).toMatch(/the mutation Mutation.cancelBulkOperation needs the operator role \(yours: viewer\)/);
  });

  test('operator cannot change a tenant', async () => {
    const operator = await server.createToken('operator');
    const result = await server.graphql('mutation { updateTenant(input: { id: "x", version: 1 }) { errors { code } } }', {}, { token: operator });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(result.errors?.[0]?.message).toMatch(/the mutation Mutation.updateTenant needs the admin role \(yours: operator\)/);
  });

  test('JWT with a mapped role is accepted', async () => {
    const jwt = await signJwt({ preferred_username: 'megan@contoso.com', roles: ['Syncrework.Viewer'] });
    const result = await server.graphql('{ targetSystemTypes { totalCount } }', {}, { token: jwt });
    expect(result.errors).toBeUndefined();
    expect(result.data.targetSystemTypes.totalCount).toBe(1);
  });

  test('JWT from another issuer is rejected', async () => {
    await expectRejected(await signJwt({ roles: ['Syncrework.Admin'] }, { issuer: 'https://evil.example.test' }), /rejected/);
  });

  test('expired JWT is rejected', async () => {
    await expectRejected(await signJwt({ roles: ['Syncrework.Admin'] }, { expiresIn: '-1m' }), /rejected/);
  });

  test('JWT without a role is rejected', async () => {
    await expectRejected(await signJwt({ roles: ['Other.App.Role'] }), /has no syncrework role/);
  });

  test('WebSocket without token is closed with 4401', async () => {
    const client = server.wsClient({ token: null });
    const closed = collectWs(client, 'subscription { synchronizationRunProgress(id: "x") { id } }', {});
    await expect(closed).rejects.toMatchObject({ code: 4401 });
    await expect(closed).rejects.toThrow('Missing bearer token: send {"authorization": "Bearer <token>"} as the connection_init payload.');
    await client.dispose();
  });

  test('WebSocket accepts a capitalized Authorization key', async () => {
    const id = await queuedRun();
    const client = createWsClient({
      url: server.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: `Bearer ${server.adminToken}` },
      retryAttempts: 0,
    });
    const query = 'subscription ($id: ID!) { synchronizationRunProgress(id: $id) { status } }';
    const events = collectWs<{ synchronizationRunProgress: { status: string } }>(client, query, { id });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await finishRun(Number(Buffer.from(id, 'base64').toString().split(':')[1]));
    expect((await events).map((event) => event.synchronizationRunProgress.status)).toEqual(['QUEUED', 'SUCCEEDED']);
    await client.dispose();
  });

  test('WebSocket rejects a non-string authorization', async () => {
    const client = createWsClient({
      url: server.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: 42 },
      retryAttempts: 0,
    });
    const closed = collectWs(client, 'subscription { synchronizationRunProgress(id: "x") { id } }', {});
    await expect(closed).rejects.toMatchObject({ code: 4401 });
    await expect(closed).rejects.toThrow('Invalid `authorization` in the connection_init payload: expected the string "Bearer <token>", got a number.');
    await client.dispose();
  });

  test('SSE without token is rejected', async () => {
    const client = server.sseClient({ token: null });
    await expect(collectSse(client, 'subscription { synchronizationRunProgress(id: "x") { id } }', {})).rejects.toThrow(/401|Missing bearer token/);
    client.dispose();
  });

  /** Creates a viewer token whose expiry has passed. */
  async function expiredToken(name: string): Promise<string> {
    const db = server.server.runtime.services.db;
    const { token, row } = await createApiToken(db, operatingSystemActor(), { name, role: 'viewer', expiresInDays: 1 });
    await db.update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.id, row.id));
    return token;
  }

  const SUBSCRIPTION = 'subscription { synchronizationRunProgress(id: "x") { id } }';

  test('WebSocket with an expired token is closed with 4401', async () => {
    const client = server.wsClient({ token: await expiredToken('expired-ws') });
    const closed = collectWs(client, SUBSCRIPTION, {});
    await expect(closed).rejects.toMatchObject({ code: 4401 });
    await expect(closed).rejects.toThrow(/"expired-ws" expired on/);
    await client.dispose();
  });

  /**
   * Checks that an SSE subscription with these credentials is rejected: the graphql-sse client
   * reports only the status, so the message is read from a plain SSE request with the same headers.
   */
  async function expectSseRejected(options: RequestOptions, message: RegExp) {
    const client = server.sseClient(options);
    await expect(collectSse(client, SUBSCRIPTION, {})).rejects.toThrow(/401/);
    client.dispose();

    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...server.headers(options) },
      body: JSON.stringify({ query: SUBSCRIPTION }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    // The body is an event stream with one `next` event holding the errors, then `complete`.
    const event = (await response.text()).split('\n\n').find((block) => block.startsWith('event: next\n'));
    expect(event).toBeDefined();
    const payload = JSON.parse(event!.slice(event!.indexOf('data: ') + 'data: '.length));
    expect(payload.errors[0].message).toMatch(message);
    expect(payload.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  }

  test('SSE with an expired token is rejected', async () => {
    await expectSseRejected({ token: await expiredToken('expired-sse') }, /"expired-sse" expired on/);
  });

  /** Malformed credentials: headers that are not `Bearer <token>`, and bearer tokens that are neither a known API token nor a JWT. */
  const MALFORMED: [string, RequestOptions, RegExp][] = [
    ['Basic header', { authorization: 'Basic dXNlcjpwYXNz' }, /Malformed Authorization header/],
    ['bearer without token', { authorization: 'Bearer' }, /Malformed Authorization header/],
    ['nonexistent API token', { token: 'swk_not-a-real-token' }, /The API token is not valid/],
    ['token that is not a JWT', { token: 'not-a-jwt' }, /The bearer token was rejected/],
  ];

  test.each(MALFORMED)('WebSocket with a %s is closed with 4401', async (_case, options, message) => {
    const client = server.wsClient(options);
    const closed = collectWs(client, SUBSCRIPTION, {});
    await expect(closed).rejects.toMatchObject({ code: 4401 });
    await expect(closed).rejects.toThrow(message);
    await client.dispose();
  });

  test.each(MALFORMED)('SSE with a %s is rejected', async (_case, options, message) => {
    await expectSseRejected(options, message);
  });

  async function queuedRun(): Promise<string> {
    const db = server.server.runtime.services.db;
    let [tenant] = await db.select().from(tenants).where(eq(tenants.name, 'Revocation'));
    if (!tenant) {
      await server.query(`mutation { createTenant(input: { name: "Revocation", primaryDomain: "revocation.example" }) { errors { message } } }`);
      [tenant] = await db.select().from(tenants).where(eq(tenants.name, 'Revocation'));
    }
    const [system] = await db.select().from(targetSystems).where(eq(targetSystems.tenantId, tenant!.id));
    const [run] = await db.insert(synchronizationRuns).values({ tenantId: tenant!.id, targetSystemId: system!.id, requestedBy: 'test', source: {} }).returning();
    return Buffer.from(`SynchronizationRun:${run!.id}`).toString('base64');
  }

  /** Marks a run as succeeded and publishes its progress, which ends its subscriptions. */
  async function finishRun(id: number) {
    const { db, pubsub } = server.server.runtime.services;
    await db.update(synchronizationRuns).set({ status: 'SUCCEEDED' }).where(eq(synchronizationRuns.id, id));
    pubsub.publish('synchronizationRun:progress', id, { id });
  }

  for (const transport of ['WebSocket', 'SSE'] as const) {
    test(`revoking a token ends its ${transport} subscription`, async () => {
      const db = server.server.runtime.services.db;
      const { token, row } = await createApiToken(db, operatingSystemActor(), { name: `watcher-${transport}`, role: 'viewer' });
      const id = await queuedRun();
      const query = 'subscription ($id: ID!) { synchronizationRunProgress(id: $id) { status } }';
      const events =
        transport === 'WebSocket' ? collectWs(server.wsClient({ token }), query, { id }) : collectSse(server.sseClient({ token }), query, { id });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await revokeApiToken(db, operatingSystemActor(), row.id);
      await expect(events).rejects.toThrow(/revoked or expired/);
    });
  }
});
