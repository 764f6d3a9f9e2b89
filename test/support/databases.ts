/**
 * Test databases: every test file gets its own, so files run in parallel without seeing each
 * other's rows. PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

export type TestDatabaseKind = 'pglite' | 'postgres';

export function testDatabaseKinds(): TestDatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase {
  kind: TestDatabaseKind;
  /** Environment for loadConfig: DATABASE_URL for PostgreSQL, SYNCREWORK_DATA_DIR for PGlite. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

export async function createTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    // Short path under the system temp folder: Unix socket paths are limited to about 100 bytes.
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sw-'));
    return { kind, env: { SYNCREWORK_DATA_DIR: dataDir }, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }

  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `syncrework_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();

  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    env: { DATABASE_URL: url.toString() },
    drop: async () => {
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
