import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/databases.ts';
import { runCli } from '../support/processes.ts';
import { newSecretKey } from './support.ts';

const SECRET = 'cli-s3cret-that-stays-hidden';

describe.each(testDatabaseKinds())('tenant commands on %s', (kind) => {
  let database: TestDatabase;
  let folder: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    folder = mkdtempSync(path.join(os.tmpdir(), 'sw-tenant-cli-'));
    env = { ...database.env, SECRET_KEY: newSecretKey(), SEED_DEMO: 'false' };
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  test('tenant create registers a simulated tenant', async () => {
    const result = await runCli(['tenant', 'create', '--name', 'Contoso', '--domain', 'contoso.com', '--write-access', 'off'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Registered tenant Contoso (contoso.com) with the SIMULATED connector, write access off.');
  });

  test('tenant create with the HTTP connector reads the secret from a file', async () => {
    const secretFile = path.join(folder, 'client-secret');
    writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
    const result = await runCli(
      [
        'tenant', 'create', '--name', 'Fabrikam', '--domain', 'fabrikam.com', '--connector', 'http',
        '--base-url', 'https://outlook.office365.com',
        '--token-endpoint', 'https://login.microsoftonline.com/fabrikam.com/oauth2/v2.0/token',
        '--client-id', '6731de76-14a6-49ae-97bc-6eba6914391e',
        '--client-secret-file', secretFile,
      ],
      env,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('with the HTTP connector, write access on, client secret stored encrypted.');
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  test('tenant create rejects bad input with a message', async () => {
    const duplicate = await runCli(['tenant', 'create', '--name', 'Contoso', '--domain', 'contoso.org'], env);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stdout).toContain('A tenant named "Contoso" exists already.');

    const badSwitch = await runCli(['tenant', 'create', '--name', 'Adatum', '--domain', 'adatum.com', '--write-access', 'maybe'], env);
    expect(badSwitch.code).toBe(1);
    expect(badSwitch.stdout).toContain('invalid --write-access "maybe"; pass on or off.');

    const missingFile = await runCli(['tenant', 'create', '--name', 'Adatum', '--domain', 'adatum.com', '--client-secret-file', path.join(folder, 'nothing')], env);
    expect(missingFile.code).toBe(1);
    expect(missingFile.stderr).toContain('Cannot read --client-secret-file');
  });

  test('tenant list shows settings without the secret', async () => {
    const result = await runCli(['tenant', 'list'], env);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toEqual([
      'Contoso\tcontoso.com\tSIMULATED\twrite access off\t0 objects\t0 outstanding',
      'Fabrikam\tfabrikam.com\tHTTP\twrite access on\t0 objects\t0 outstanding',
    ]);
    expect(result.stdout).not.toContain(SECRET);
  });
});
