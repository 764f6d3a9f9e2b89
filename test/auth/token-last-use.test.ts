/**
 * `api_tokens.last_used_at`: written in the background when a token authenticates a request, at
 * most once a minute per token, and shown by `syncrework token list`.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tokenCommands } from '../../src/cli/token-commands.ts';
import { apiTokens } from '../../src/db/schema.ts';
import { operatingSystemActor } from '../../src/domain/actor.ts';
import { createApiToken } from '../../src/domain/api-tokens.ts';
import { testDatabaseKinds } from '../support/databases.ts';
import { startLoggedServer, type LoggedServer } from '../setup/support.ts';

/** Verified tokens are cached this long by the server; a request after it verifies the token again. */
const AUTH_CACHE_MS = 2000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(testDatabaseKinds())('token last use on %s', (kind) => {
  let server: LoggedServer;
  const tokenUpdates: string[] = [];

  beforeAll(async () => {
    server = await startLoggedServer(kind, {
      onQuery: (query) => {
        if (/^update "api_tokens" set "last_used_at"/i.test(query)) tokenUpdates.push(query);
      },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function newToken(name: string): Promise<{ token: string; id: number }> {
    const { token, row } = await createApiToken(server.server.runtime.services.db, operatingSystemActor(), { name, role: 'viewer' });
    return { token, id: row.id };
  }

  async function lastUsedAt(id: number): Promise<Date | null> {
    const [row] = await server.server.runtime.services.db.select().from(apiTokens).where(eq(apiTokens.id, id));
    return row!.lastUsedAt;
  }

  /** Polls until `last_used_at` of token `id` is set, because it is written after the response. */
  async function waitForLastUse(id: number): Promise<Date | null> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const value = await lastUsedAt(id);
      if (value || Date.now() > deadline) return value;
      await sleep(50);
    }
  }

  async function request(token: string) {
    const result = await server.graphql('{ tenants { totalCount } }', {}, { token });
    expect(result.errors).toBeUndefined();
  }

  test('first request records the time of use', async () => {
    const { token, id } = await newToken('first-use');
    expect(await lastUsedAt(id)).toBeNull();

    const before = Date.now();
    await request(token);
    const used = await waitForLastUse(id);
    expect(used).not.toBeNull();
    expect(used!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(used!.getTime()).toBeLessThanOrEqual(Date.now());
  });

  test('requests within a minute write it once', async () => {
    const { token, id } = await newToken('busy-client');
    const updatesBefore = tokenUpdates.length;
    await Promise.all([request(token), request(token), request(token)]);
    const first = await waitForLastUse(id);

    // Past the authentication cache, so the token is verified again and could be written again.
    await sleep(AUTH_CACHE_MS + 200);
    await request(token);
    await sleep(300);

    expect(await lastUsedAt(id)).toEqual(first);
    expect(tokenUpdates.length - updatesBefore).toBe(1);
  });

  test('a use more than a minute later writes it again', async () => {
    const { token, id } = await newToken('returning-client');
    const db = server.server.runtime.services.db;
    await request(token);
    await waitForLastUse(id);

    const longAgo = new Date(Date.now() - 5 * 60_000);
    await db.update(apiTokens).set({ lastUsedAt: longAgo }).where(eq(apiTokens.id, id));
    await sleep(AUTH_CACHE_MS + 200);
    await request(token);

    const deadline = Date.now() + 5000;
    while ((await lastUsedAt(id))!.getTime() === longAgo.getTime() && Date.now() < deadline) await sleep(50);
    expect((await lastUsedAt(id))!.getTime()).toBeGreaterThan(longAgo.getTime());
  });

  test('failed write logs a warning and the request succeeds', async () => {
    const { token, id } = await newToken('unwritable-use');
    const db = server.server.runtime.services.db;
    await db.execute(sql`create function reject_last_use() returns trigger language plpgsql as $$
      begin raise exception 'last_used_at is read-only in this test'; end $$`);
    await db.execute(sql`create trigger reject_last_use before update of last_used_at on api_tokens
      for each row when (old.name = 'unwritable-use') execute function reject_last_use()`);
    try {
      await request(token);
      const deadline = Date.now() + 5000;
      while (!server.logText().includes('Writing last_used_at of an API token failed') && Date.now() < deadline) await sleep(50);

      const warning = server
        .logText()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
        .find((line) => line.msg?.startsWith('Writing last_used_at of an API token failed'));
      expect(warning).toBeDefined();
      expect(warning.level).toBe(40);
      expect(warning.tokenId).toBe(id);
      expect(JSON.stringify(warning.err)).toContain('read-only in this test');
      expect(await lastUsedAt(id)).toBeNull();
    } finally {
      await db.execute(sql`drop trigger reject_last_use on api_tokens`);
      await db.execute(sql`drop function reject_last_use()`);
    }
  });

  test.runIf(kind === 'postgres')('slow write does not hold up the request', async () => {
    const { token, id } = await newToken('slow-use');
    const db = server.server.runtime.services.db;
    await db.execute(sql`create function delay_last_use() returns trigger language plpgsql as $$
      begin perform pg_sleep(3); return new; end $$`);
    await db.execute(sql`create trigger delay_last_use before update of last_used_at on api_tokens
      for each row when (old.name = 'slow-use') execute function delay_last_use()`);
    try {
      const started = Date.now();
      await request(token);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await waitForLastUse(id)).not.toBeNull();
    } finally {
      await db.execute(sql`drop trigger delay_last_use on api_tokens`);
      await db.execute(sql`drop function delay_last_use()`);
    }
  });

  test('token list shows the last use', async () => {
    const used = await newToken('listed-used');
    const unused = await newToken('listed-unused');
    await request(used.token);
    const usedAt = await waitForLastUse(used.id);

    const lines: string[] = [];
    const code = await tokenCommands['token-list']!({ runtime: server.server.runtime, actor: operatingSystemActor(), print: (line) => lines.push(line) }, {});
    expect(code).toBe(0);
    const lineOf = (id: number) => lines.find((line) => line.startsWith(`${id}\t`));
    expect(lineOf(used.id)).toMatch(new RegExp(`\\tlast used ${usedAt!.toISOString().replace(/\./g, '\\.')}$`));
    expect(lineOf(unused.id)).toMatch(/\tnever used$/);
  });
});
