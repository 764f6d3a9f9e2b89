import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { snapshotsRoot } from '../../src/domain/snapshots.ts';
import { testDatabaseKinds } from '../support/databases.ts';
import type { TestServer } from '../support/server.ts';
import { csv, json, mailContact, mailUser, startSyncServer, SyncClient, upload } from './support.ts';

const LIMIT = 64 * 1024;

describe.each(testDatabaseKinds())('snapshot upload on %s', (kind) => {
  let server: TestServer;
  let client: SyncClient;
  const storedSnapshots = () => readdirSync(snapshotsRoot(server.server.runtime.services.config.SYNCREWORK_DATA_DIR));
  beforeAll(async () => {
    server = await startSyncServer(kind, { env: { MAX_SNAPSHOT_BYTES: String(LIMIT) } });
    client = new SyncClient(server);
    await client.createTenant('Uploads', 'contoso.com');
  });
  afterAll(async () => {
    await server?.close();
  });

  test('uploaded snapshot is synchronized once', async () => {
    const files = { 'MailUser.json': json([mailUser(1), mailUser(2)]), 'contacts-export.csv': csv([mailContact(1)]) };
    const uploaded = await upload(server, files);

    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      files: ['MailUser.json', 'contacts-export.csv'],
      sizeBytes: Buffer.byteLength(files['MailUser.json']) + Buffer.byteLength(files['contacts-export.csv']),
    });
    expect(storedSnapshots()).toContain(uploaded.body.id);

    const payload = await client.synchronize({ tenant: 'Uploads', snapshotId: uploaded.body.id });
    const run = await client.waitFor(payload.synchronizationRun!.id);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.counts.inserted).toBe(3);
    expect(storedSnapshots()).not.toContain(uploaded.body.id);

    const reused = await client.synchronize({ tenant: 'Uploads', snapshotId: uploaded.body.id });
    expect(reused.errors[0]).toMatchObject({ code: 'CONFLICT', path: ['input', 'snapshotId'] });
    expect(reused.errors[0].message).toContain('Upload the files again');
  });

  test('failed run keeps its snapshot for a forced retry', async () => {
    // The file parses, so the run is queued, and fails on the second row's empty key.
    const uploaded = await upload(server, { 'MailUser.json': json([mailUser(1), mailUser(2, { Guid: '' })]) });
    const failed = await client.waitFor((await client.synchronize({ tenant: 'Uploads', snapshotId: uploaded.body.id })).synchronizationRun!.id);
    expect(failed.status).toBe('FAILED');
    expect(storedSnapshots()).toContain(uploaded.body.id);
  });

  test('oversized upload gets 413 and keeps nothing', async () => {
    const before = storedSnapshots();
    const big = json(Array.from({ length: 200 }, (_, index) => mailUser(index)));
    expect(Buffer.byteLength(big)).toBeGreaterThan(LIMIT);

    const declared = await upload(server, { 'MailUser.json': big });
    expect(declared.status).toBe(413);
    expect(declared.body.error).toContain(`exceeds the limit of ${LIMIT} bytes (MAX_SNAPSHOT_BYTES)`);

    const streamed = await uploadChunked(server, 'MailUser.json', big);
    expect(streamed.status).toBe(413);
    expect(streamed.body.error).toContain('MAX_SNAPSHOT_BYTES');
    expect(storedSnapshots()).toEqual(before);
  });

  test('bad uploads are rejected with a reason', async () => {
    const notMultipart = await fetch(`${server.url}/snapshots`, {
      method: 'POST',
      headers: { ...server.headers(), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(notMultipart.status).toBe(415);
    expect((await notMultipart.json()).error).toContain('multipart/form-data');

    const badName = await upload(server, { 'MailUser.xml': '<xml/>' });
    expect(badName.status).toBe(400);
    expect(badName.body.error).toContain('Invalid snapshot file name "MailUser.xml"');

    const empty = await fetch(`${server.url}/snapshots`, { method: 'POST', headers: server.headers(), body: new FormData() });
    expect(empty.status).toBe(400);
    expect((await empty.json()).error).toContain('contains no file');

    const viewer = await server.createToken('viewer');
    const forbidden = await fetch(`${server.url}/snapshots`, { method: 'POST', headers: server.headers({ token: viewer }), body: new FormData() });
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).error).toContain('operator role');
  });
});

/** Uploads one file with chunked transfer encoding, so the server cannot tell the size up front. */
function uploadChunked(server: TestServer, name: string, content: string): Promise<{ status: number; body: any }> {
  const boundary = 'syncrework-test-boundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${path.basename(name)}"\r\nContent-Type: application/json\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${server.url}/snapshots`,
      { method: 'POST', headers: { ...server.headers(), 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    // The server responds and closes the connection before the whole body is sent.
    outgoing.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    outgoing.write(head);
    for (let start = 0; start < content.length; start += 8192) outgoing.write(content.slice(start, start + 8192));
    outgoing.end(tail);
  });
}
