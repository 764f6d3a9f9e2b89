import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { runCli, startServerProcess, type ServerProcess } from '../support/processes.ts';
import { json, mailUser } from './support.ts';

const demo = fileURLToPath(new URL('../../demo/snapshots/contoso/', import.meta.url));

describe('syncrework sync and log purge', () => {
  const folders: string[] = [];
  let server: ServerProcess | undefined;
  const tempFolder = () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'sw-sync-cli-'));
    folders.push(folder);
    return folder;
  };
  afterEach(async () => {
    if (server && server.child.exitCode === null) await server.stop();
    server = undefined;
  });
  afterAll(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  test('sync with the server down', async () => {
    const env = { SYNCREWORK_DATA_DIR: tempFolder() };
    expect((await runCli(['seed-demo'], env)).code).toBe(0);

    const result = await runCli(['sync', '--tenant', 'Contoso', `${demo}2-later`], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Synchronization run 3 SUCCEEDED.');
    expect(result.stdout).toMatch(/ {2}unchanged: [1-9]\d*\n/);
    expect(result.stdout).toContain('  inserted: 0\n');
    expect(result.stdout).toContain('logEntries(first: 100)');

    const purged = await runCli(['log', 'purge', '--older-than', '0'], env);
    expect(purged.code).toBe(0);
    expect(purged.stdout).toMatch(/^Deleted [1-9]\d* log entries older than 0 days/);
  });

  test('sync through a running server', async () => {
    const env = { SYNCREWORK_DATA_DIR: tempFolder() };
    server = await startServerProcess({ ...env, SEED_DEMO: 'true' });

    const result = await runCli(['sync', '--tenant', 'Contoso', `${demo}1-initial`], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('SUCCEEDED');
    expect(result.stdout).toMatch(/skipped \(outstanding\): [1-9]\d*\n/);
    expect(server.logLines().filter((line) => line.msg === 'command finished').map((line) => line.command)).toEqual(['sync']);

    const badFolder = tempFolder();
    writeFileSync(path.join(badFolder, 'MailUser.json'), '[{"Guid": }]');
    const rejected = await runCli(['sync', '--tenant', 'Contoso', badFolder], env);
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toContain('MailUser.json, $[0]: invalid JSON');
    expect(rejected.stdout).toContain('No run was started.');

    writeFileSync(path.join(badFolder, 'MailUser.json'), json([mailUser(1), mailUser(2, { Guid: '' })]));
    const failed = await runCli(['sync', '--tenant', 'Contoso', badFolder], env);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('FAILED');
    expect(failed.stdout).toContain('Error: MailUser.json, $[1].Guid: the Guid is missing or empty');

    const unknown = await runCli(['sync', '--tenant', 'Fabrikam', `${demo}1-initial`], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain('Tenant "Fabrikam" is not registered');

    const missing = await runCli(['sync', '--tenant', 'Contoso', 'no-such-folder'], env);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('no-such-folder does not exist');
  });

  test.runIf(process.env.TEST_DATABASE_URL)('sync on PostgreSQL', async () => {
    const database: TestDatabase = await createTestDatabase('postgres');
    try {
      const env = { ...database.env, SYNCREWORK_DATA_DIR: tempFolder() };
      expect((await runCli(['seed-demo'], env)).code).toBe(0);
      const result = await runCli(['sync', '--tenant', 'Contoso', '--force', `${demo}2-later`], env);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('queued (forced)');
      expect(result.stdout).toContain('SUCCEEDED');
    } finally {
      await database.drop();
    }
  });
});
