import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('request limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite', { env: { MAX_QUERY_DEPTH: '6', MAX_ALIASES: '5', MAX_QUERY_TOKENS: '200', MAX_QUERY_COMPLEXITY: '500' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('depth at the limit passes', async () => {
    // targetSystemTypes > edges > node > syncTables > pageInfo > hasNextPage: depth 6.
    const result = await server.graphql('{ targetSystemTypes(first: 2) { edges { node { syncTables(first: 5) { pageInfo { hasNextPage } } } } } }');
    expect(result.errors).toBeUndefined();
  });

  test('depth over the limit names the limit', async () => {
    const result = await server.graphql('{ targetSystemTypes { edges { node { syncTables { edges { node { name } } } } } } }');
    expect(result.errors?.[0]?.message).toMatch(/Query depth 7 exceeds the limit of 6 \(MAX_QUERY_DEPTH\)/);
  });

  test('aliases at the limit pass and over it fail', async () => {
    const aliases = (count: number) => `{ ${Array.from({ length: count }, (_, index) => `a${index}: tenants { totalCount }`).join(' ')} }`;
    expect((await server.graphql(aliases(5))).errors).toBeUndefined();
    const over = await server.graphql(aliases(6));
    expect(over.errors?.[0]?.message).toMatch(/aliases/i);
    expect(over.errors?.[0]?.message).toMatch(/5/);
  });

  test('token count under the limit passes', async () => {
    const fields = Array.from({ length: 150 }, () => '__typename').join(' ');
    expect((await server.graphql(`{ ${fields} }`)).errors).toBeUndefined();
  });

  test('token count over the limit fails', async () => {
    const fields = Array.from({ length: 250 }, () => '__typename').join(' ');
    const result = await server.graphql(`{ ${fields} }`);
    expect(result.errors?.[0]?.message).toMatch(/token/i);
  });

  test('complexity counts page sizes', async () => {
    const small = await server.graphql('{ tenants(first: 5) { edges { node { name primaryDomain } } } }');
    expect(small.errors).toBeUndefined();
    const large = await server.graphql('{ tenants(first: 500) { edges { node { name primaryDomain } } } }');
    expect(large.errors?.[0]?.message).toMatch(/Query complexity \d+ exceeds the limit of 500 \(MAX_QUERY_COMPLEXITY\)/);
  });
});

describe('rate limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite', { env: { RATE_LIMIT_PER_MINUTE: '20' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('burst beyond the limit gets 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    let message = '';
    for (let index = 0; index < 25; index++) {
      const response = await fetch(`${server.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`, { headers: server.headers() });
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter = response.headers.get('retry-after');
        message = (await response.json()).errors[0].message;
      } else {
        await response.text();
      }
    }
    expect(statuses.slice(0, 20).every((status) => status === 200)).toBe(true);
    expect(statuses.slice(20).every((status) => status === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(message).toMatch(/RATE_LIMIT_PER_MINUTE/);
  });

  test('another token has its own budget', async () => {
    const viewer = await server.createToken('viewer');
    const response = await fetch(`${server.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`, { headers: server.headers({ token: viewer }) });
    expect(response.status).toBe(200);
  });

  test('health is not limited', async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
  });
});

describe('persisted operations', () => {
  const document = '{ targetSystemTypes { totalCount } }';
  const hash = createHash('sha256').update(document).digest('hex');
  let server: TestServer;
  beforeAll(async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'sw-ops-'));
    const file = path.join(folder, 'operations.json');
    writeFileSync(file, JSON.stringify({ [hash]: document }));
    server = await startTestServer('pglite', { env: { PERSISTED_OPERATIONS_FILE: file } });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('known operation runs by hash', async () => {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...server.headers() },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
    });
    expect(await response.json()).toEqual({ data: { targetSystemTypes: { totalCount: 1 } } });
  });

  test('arbitrary operation is refused', async () => {
    const result = await server.graphql('{ tenants { totalCount } }');
    expect(result.errors?.[0]?.message).toMatch(/PersistedQueryOnly|persisted/i);
  });
});
