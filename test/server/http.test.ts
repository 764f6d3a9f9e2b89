import { sql } from 'drizzle-orm';
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKinds } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe.each(testDatabaseKinds())('GraphQL over HTTP on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server?.close();
  });

  test('health and readiness answer', async () => {
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  test('GET query answers', async () => {
    const query = encodeURIComponent('{ targetSystemTypes { totalCount } }');
    const response = await fetch(`${server.graphqlUrl}?query=${query}`, { headers: server.headers() });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { targetSystemTypes: { totalCount: 1 } } });
  });

  test('POST answers with graphql-response+json', async () => {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...server.headers() },
      body: JSON.stringify({ query: '{ targetSystemTypes { edges { node { name } } } }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/graphql-response+json');
    const body = await response.json();
    expect(body.data.targetSystemTypes.edges[0].node.name).toBe('Exchange Online');
  });

  test('mutations are refused over GET', async () => {
    const query = encodeURIComponent('mutation { createTenant(input: { name: "X", primaryDomain: "x.com" }) { errors { code } } }');
    const response = await fetch(`${server.graphqlUrl}?query=${query}`, { headers: server.headers() });
    expect(response.status).toBe(405);
  });

  test('every response carries a request id', async () => {
    const response = await fetch(`${server.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { 'x-request-id': 'client-chosen-id-1', ...server.headers() },
    });
    expect(response.headers.get('x-request-id')).toBe('client-chosen-id-1');
  });

  test('oversized body is rejected with 413', async () => {
    const padding = 'x'.repeat(1024 * 1024 + 10);
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...server.headers() },
      body: JSON.stringify({ query: `{ __typename } # ${padding}` }),
    });
    expect(response.status).toBe(413);
    const body = await response.json();
    expect(body.errors[0].message).toContain('MAX_REQUEST_BYTES');
  });

  test('metrics are served in Prometheus format', async () => {
    await server.graphql('{ tenants { totalCount } }');
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('graphql_envelop_request_duration');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  test('malformed JSON body is a 400', async () => {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...server.headers() },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
  });

  test('unknown field names the field', async () => {
    const result = await server.graphql('{ targetSystemTypes { nope } }');
    expect(result.errors?.[0]?.message).toContain('Cannot query field "nope"');
  });

  test('graphql-http server audits pass', async () => {
    const failures: string[] = [];
    const authorizedFetch: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      for (const [name, value] of Object.entries(server.headers())) headers.set(name, value);
      return fetch(input, { ...init, headers });
    };
    for (const audit of serverAudits({ url: server.graphqlUrl, fetchFn: authorizedFetch })) {
      const result = await audit.fn();
      if (result.status === 'error') failures.push(`${audit.name}: ${result.reason}`);
    }
    expect(failures).toEqual([]);
  });
});

describe('production mode', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite', { env: { NODE_ENV: 'production', METRICS_TOKEN: 'metrics-token-for-tests' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('introspection is disabled', async () => {
    const result = await server.graphql('{ __schema { queryType { name } } }');
    expect(result.errors?.[0]?.message).toBe('Introspection is disabled in production mode.');
  });

  test('field suggestions are hidden', async () => {
    const result = await server.graphql('{ tenant { name } }');
    expect(result.errors?.[0]?.message).toBe('Cannot query field "tenant" on type "Query".');
  });

  test('unexpected errors are masked with a request id', async () => {
    // Break the database under the running server: the next read fails with an SQL error.
    await server.server.runtime.services.db.execute(sql`alter table tenants rename to tenants_gone`);
    const result = await server.graphql('{ tenants { totalCount } }');
    const error = result.errors?.[0];
    expect(error?.message).toMatch(/^Unexpected error\. Quote request id [\w-]+ when you report it\.$/);
    expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(typeof error?.extensions?.requestId).toBe('string');
    expect(JSON.stringify(result)).not.toContain('tenants_gone');
    expect(JSON.stringify(result)).not.toContain('relation');
    await server.server.runtime.services.db.execute(sql`alter table tenants_gone rename to tenants`);
  });

  test('metrics need the metrics token when one is set', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const allowed = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-for-tests' } });
    expect(allowed.status).toBe(200);
  });

  test('GraphiQL is not served', async () => {
    const response = await fetch(server.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(await response.text()).not.toContain('GraphiQL');
  });
});

describe.each(testDatabaseKinds().filter((kind) => kind === 'postgres'))('PostgreSQL sessions on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server?.close();
  });

  test('run without JIT and name the application', async () => {
    const rows = (await server.server.runtime.services.db.execute(sql`select current_setting('jit') as jit, current_setting('application_name') as application`)) as unknown as {
      jit: string;
      application: string;
    }[];
    expect(rows[0]).toEqual({ jit: 'off', application: 'syncrework' });
  });
});
