import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, test } from 'vitest';
import { runCli, startServerProcess, type ServerProcess } from '../support/processes.ts';

describe('command line', () => {
  const folders: string[] = [];
  let server: ServerProcess | undefined;
  const dataDir = () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'sw-cli-'));
    folders.push(folder);
    return folder;
  };
  afterEach(async () => {
    if (server && server.child.exitCode === null) await server.stop('SIGKILL');
    server = undefined;
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  test('help lists the commands', async () => {
    const result = await runCli(['--help'], {});
    expect(result.code).toBe(0);
    for (const command of ['serve', 'migrate', 'seed-demo']) expect(result.stdout).toContain(command);
  });

  test('invalid configuration stops with the variable named', async () => {
    const result = await runCli(['migrate'], { PORT: 'eighty', SYNCREWORK_DATA_DIR: dataDir() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT="eighty": expected a whole number');
  });

  test('seed-demo with the server down opens the folder itself', async () => {
    const folder = dataDir();
    const first = await runCli(['seed-demo'], { SYNCREWORK_DATA_DIR: folder });
    expect(first.stdout).toContain('Loaded the demo data set.');
    expect(first.code).toBe(0);
    const second = await runCli(['seed-demo'], { SYNCREWORK_DATA_DIR: folder });
    expect(second.stdout).toContain('already holds tenants');
    expect(existsSync(path.join(folder, 'syncrework.lock'))).toBe(false);
  });

  test('commands reach a running server through its socket', async () => {
    const folder = dataDir();
    server = await startServerProcess({ SYNCREWORK_DATA_DIR: folder, SEED_DEMO: 'false' });
    expect(existsSync(path.join(folder, 'syncrework.sock'))).toBe(true);

    const seeded = await runCli(['seed-demo'], { SYNCREWORK_DATA_DIR: folder });
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toContain('Loaded the demo data set.');

    const migrated = await runCli(['migrate'], { SYNCREWORK_DATA_DIR: folder });
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toContain('Migrations are applied.');

    const commandLog = server.logLines().filter((line) => line.msg === 'command finished');
    expect(commandLog.map((line) => line.command)).toEqual(['seed-demo', 'migrate']);
    expect(String(commandLog[0]!.actor)).toMatch(/^os:/);

    const token = readFileSync(path.join(folder, 'initial-admin-token'), 'utf8').trim();
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ tenants { totalCount } }' }),
    });
    expect((await response.json()).data.tenants.totalCount).toBeGreaterThan(0);
  });

  test('locked folder without socket is refused', async () => {
    const folder = dataDir();
    // This test process is alive, so its pid makes the lock current.
    writeFileSync(path.join(folder, 'syncrework.lock'), JSON.stringify({ pid: process.pid }));
    const result = await runCli(['seed-demo'], { SYNCREWORK_DATA_DIR: folder });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`is in use by process ${process.pid}, which has no command socket (it is not a running server)`);
  });

  test('stale lock of a dead process is taken over', async () => {
    const folder = dataDir();
    writeFileSync(path.join(folder, 'syncrework.lock'), JSON.stringify({ pid: 2 ** 22 + 12345 }));
    const result = await runCli(['seed-demo'], { SYNCREWORK_DATA_DIR: folder });
    expect(result.code).toBe(0);
  });

  test('second server on the same folder is refused', async () => {
    const folder = dataDir();
    server = await startServerProcess({ SYNCREWORK_DATA_DIR: folder, SEED_DEMO: 'false' });
    const second = await runCli(['serve'], { SYNCREWORK_DATA_DIR: folder, PORT: '0' });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`is in use by process ${server.child.pid}, and only one process may open it`);
  });

  test('port in use fails cleanly and frees the folder', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const folder = dataDir();
    const result = await runCli(['serve'], { SYNCREWORK_DATA_DIR: folder, PORT: String(port), SEED_DEMO: 'false' });
    blocker.close();
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `Error: Cannot listen on 127.0.0.1:${port}: another process already uses port ${port}. Stop that process, or set PORT to a free port.`,
    );
    expect(result.stdout + result.stderr).not.toContain('Internal error emitted on the WebSocket server');
    expect(existsSync(path.join(folder, 'syncrework.lock'))).toBe(false);
    expect(existsSync(path.join(folder, 'initial-admin-token'))).toBe(false);
  });

  test('HOST of another machine fails cleanly', async () => {
    // 192.0.2.1 is reserved for documentation (RFC 5737), so a machine running the tests should not have it.
    const result = await runCli(['serve'], { SYNCREWORK_DATA_DIR: dataDir(), HOST: '192.0.2.1', PORT: '0', SEED_DEMO: 'false' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'Error: Cannot listen on 192.0.2.1:0: 192.0.2.1 is not an address of this machine. Set HOST to one of its addresses, e.g. 127.0.0.1.',
    );
  });

  test('SIGTERM closes WebSockets and exits cleanly', async () => {
    const folder = dataDir();
    server = await startServerProcess({ SYNCREWORK_DATA_DIR: folder });
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const token = readFileSync(path.join(folder, 'initial-admin-token'), 'utf8').trim();
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    await new Promise((resolve) => socket.once('message', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));

    const exitCode = await server.stop('SIGTERM');
    expect(await closed).toBe(1001);
    expect(exitCode).toBe(0);
    expect(server.logLines().some((line) => line.msg === 'server stopped')).toBe(true);
    expect(existsSync(path.join(folder, 'syncrework.lock'))).toBe(false);
    expect(existsSync(path.join(folder, 'syncrework.sock'))).toBe(false);
  });
});
