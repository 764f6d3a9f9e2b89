/**
 * `POST /snapshots`: a multipart/form-data upload of snapshot files, streamed to a new folder
 * under the data folder, never kept in memory. Responds with `{ id, files, sizeBytes }`, and the id goes into
 * `synchronize(input: { snapshotId })`. An upload over MAX_SNAPSHOT_BYTES gets 413 and keeps nothing.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import busboy from 'busboy';
import { hasRole, type Actor } from '../domain/actor.ts';
import { isDomainError } from '../domain/errors.ts';
import { checkSnapshotFileName, createSnapshotFolder, recordSnapshot, removeSnapshotFolder } from '../domain/snapshots.ts';
import type { Services } from '../graphql/context.ts';
import { sendJson, type Route } from '../server.ts';

/** Sent with its HTTP status; any other error is a 500. */
class UploadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_FILES = 50;

export function createSnapshotUploadRoute(services: Services): Route {
  const log = services.logger.child({ module: 'snapshot-upload' });
  const maxBytes = services.config.MAX_SNAPSHOT_BYTES;
  const tooLarge = () =>
    new UploadError(413, `The snapshot exceeds the limit of ${maxBytes} bytes (MAX_SNAPSHOT_BYTES). Raise the limit on the server or split the export; nothing was kept.`);

  const handle = async (request: IncomingMessage, response: ServerResponse, actor: Actor) => {
    if (!hasRole(actor, 'operator')) {
      return sendJson(response, 403, { error: `Uploading a snapshot needs the operator role; your role is ${actor.role}.` });
    }
    if (!/^multipart\/form-data/i.test(request.headers['content-type'] ?? '')) {
      return sendJson(response, 415, { error: 'Send the snapshot files as multipart/form-data, one part per file (e.g. curl -F file=@MailUser.json).' });
    }
    if (Number(request.headers['content-length'] ?? 0) > maxBytes) return reject(request, response, tooLarge());

    const { id, directory } = await createSnapshotFolder(services.config.SYNCREWORK_DATA_DIR);
    try {
      const files = await receiveFiles(request, directory, maxBytes, tooLarge);
      const sizeBytes = files.reduce((sum, file) => sum + file.size, 0);
      const names = files.map((file) => file.name);
      await recordSnapshot(services.db, { id, directory, files: names, sizeBytes, uploadedBy: actor.name });
      log.info({ snapshotId: id, files: names, sizeBytes, actor: actor.name }, 'snapshot uploaded');
      sendJson(response, 201, { id, files: names, sizeBytes });
    } catch (error) {
      await removeSnapshotFolder(directory);
      if (error instanceof UploadError) return reject(request, response, error);
      if (isDomainError(error)) return reject(request, response, new UploadError(400, error.message));
      throw error;
    }
  };

  return { method: 'POST', path: /^\/snapshots\/?$/, handle };
}

/** Sends the error and stops reading the request; the connection closes, so no unread body is left on it. */
function reject(request: IncomingMessage, response: ServerResponse, error: UploadError): void {
  response.setHeader('connection', 'close');
  sendJson(response, error.status, { error: error.message });
  request.unpipe();
  request.resume();
}

interface ReceivedFile {
  name: string;
  size: number;
}

function receiveFiles(request: IncomingMessage, directory: string, maxBytes: number, tooLarge: () => UploadError): Promise<ReceivedFile[]> {
  return new Promise((resolve, reject) => {
    const parser = busboy({ headers: request.headers, limits: { files: MAX_FILES, fileSize: maxBytes, fields: 20 } });
    const files: ReceivedFile[] = [];
    const writes: Promise<void>[] = [];
    const outputs: WriteStream[] = [];
    let total = 0;
    let failed = false;

    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      request.unpipe(parser);
      for (const output of outputs) output.destroy();
      reject(error);
    };

    parser.on('file', (_field, stream, info) => {
      if (failed) return void stream.resume();
      let name: string;
      try {
        name = checkSnapshotFileName(info.filename ?? '', ['files']);
      } catch (error) {
        stream.resume();
        return fail(error as Error);
      }
      if (files.some((file) => file.name.toLowerCase() === name.toLowerCase())) {
        stream.resume();
        return fail(new UploadError(400, `The upload contains two files named ${JSON.stringify(name)}. Send each file once.`));
      }

      const file: ReceivedFile = { name, size: 0 };
      files.push(file);
      const output = createWriteStream(path.join(directory, name), { mode: 0o600 });
      outputs.push(output);
      stream.on('data', (chunk: Buffer) => {
        file.size += chunk.length;
        total += chunk.length;
        if (total > maxBytes) fail(tooLarge());
      });
      stream.on('limit', () => fail(tooLarge()));
      stream.pipe(output);
      writes.push(finished(output).catch((error: Error) => fail(error)));
    });
    parser.on('filesLimit', () => fail(new UploadError(400, `The upload contains more than ${MAX_FILES} files. A snapshot has one file per table.`)));
    parser.on('error', (error: Error) => fail(new UploadError(400, `The multipart body is malformed: ${error.message}`)));
    parser.on('close', () => {
      void Promise.all(writes).then(() => {
        if (failed) return;
        if (files.length === 0) return fail(new UploadError(400, 'The upload contains no file. Send each snapshot file as a file part, e.g. curl -F file=@MailUser.json.'));
        resolve(files);
      });
    });
    request.on('error', (error) => fail(error));
    request.pipe(parser);
  });
}
