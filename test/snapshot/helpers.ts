import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect } from 'vitest';
import {
  exchangeOnlineTableSpecs,
  openSnapshot,
  SnapshotError,
  type ReadSnapshotOptions,
  type SnapshotRecord,
  type SnapshotTable,
} from '../../src/snapshot/index.js';

export const fixtures = fileURLToPath(new URL('../fixtures/snapshots/', import.meta.url));

const folders: string[] = [];

/** Creates a temporary folder that is removed after the test. */
export async function tempFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'syncrework-snapshot-'));
  folders.push(folder);
  return folder;
}

afterEach(async () => {
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

/** Writes files (text as UTF-8, or raw bytes) into a new temporary folder and returns the folder. */
export async function folderWith(files: Record<string, string | Uint8Array>): Promise<string> {
  const folder = await tempFolder();
  for (const [name, content] of Object.entries(files)) await writeFile(join(folder, name), content);
  return folder;
}

/** Opens a snapshot with the Exchange Online tables unless other options are given. */
export function open(paths: string[], options: Partial<ReadSnapshotOptions> = {}): Promise<SnapshotTable[]> {
  return openSnapshot(paths, { tables: exchangeOnlineTableSpecs, ...options });
}

/** Reads every record of a table. */
export async function readAll(table: SnapshotTable): Promise<SnapshotRecord[]> {
  const records: SnapshotRecord[] = [];
  for await (const record of table.records) records.push(record);
  return records;
}

/** Opens a snapshot of files in a temporary folder and reads every record of its only table. */
export async function readSingle(files: Record<string, string | Uint8Array>, options: Partial<ReadSnapshotOptions> = {}): Promise<SnapshotRecord[]> {
  const tables = await open([await folderWith(files)], options);
  expect(tables).toHaveLength(1);
  return readAll(tables[0]!);
}

/** Awaits a promise that must reject with a SnapshotError, and returns the error. */
export async function snapshotError(promise: Promise<unknown>): Promise<SnapshotError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SnapshotError);
  return error as SnapshotError;
}

/** Formats rows as Export-Csv -NoTypeInformation writes them: every cell quoted, CRLF line ends. */
export function csv(rows: string[][]): string {
  return rows.map((row) => row.map((cell) => `"${cell.replaceAll('"', '""')}"`).join(',')).join('\r\n') + '\r\n';
}
