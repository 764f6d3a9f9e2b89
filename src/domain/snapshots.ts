/**
 * Snapshots on disk: files uploaded with `POST /snapshots` or sent inline with `synchronize`, kept in
 * a folder per snapshot under `<SYNCREWORK_DATA_DIR>/snapshots` until a run has read them.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { and, eq, isNull, lt } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { snapshots } from '../db/schema.ts';
import { DomainError } from './errors.ts';

export type SnapshotRow = typeof snapshots.$inferSelect;

export interface InlineSnapshotFile {
  name: string;
  content: string;
}

/** Folder containing one folder per snapshot. */
export function snapshotsRoot(dataDir: string): string {
  return path.resolve(dataDir, 'snapshots');
}

/** Creates an empty folder for a new snapshot and returns its id and path. */
export async function createSnapshotFolder(dataDir: string): Promise<{ id: string; directory: string }> {
  const id = randomUUID();
  const directory = path.join(snapshotsRoot(dataDir), id);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  return { id, directory };
}

/**
 * Checks a snapshot file name: a plain file name ending in .json or .csv, because the name tells the
 * reader the format and may tell it the table. Returns the name; throws INVALID_INPUT otherwise.
 */
export function checkSnapshotFileName(name: string, inputPath: string[]): string {
  const valid =
    name.length > 0 &&
    name.length <= 200 &&
    !name.startsWith('.') &&
    path.basename(name) === name &&
    !name.includes('\\') &&
    /\.(json|csv)$/i.test(name);
  if (!valid) {
    throw new DomainError(
      'INVALID_INPUT',
      `Invalid snapshot file name ${JSON.stringify(name)}: use a plain file name ending in .json or .csv, such as MailUser.json or DistributionGroupMember.csv.`,
      inputPath,
    );
  }
  return name;
}

/** Rejects a second file with the same name (compared case-insensitively, as on Windows). */
export function checkUniqueFileNames(names: string[], inputPath: string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    const lower = name.toLowerCase();
    if (seen.has(lower)) {
      throw new DomainError('INVALID_INPUT', `The snapshot contains two files named ${JSON.stringify(name)}. Send each file once.`, inputPath);
    }
    seen.add(lower);
  }
}

/** Writes inline files into a new snapshot folder; the caller records the row in its transaction. */
export async function writeInlineSnapshot(
  dataDir: string,
  files: InlineSnapshotFile[],
): Promise<{ id: string; directory: string; files: string[]; sizeBytes: number }> {
  if (files.length === 0) {
    throw new DomainError('INVALID_INPUT', 'The snapshot has no files. Send at least one file, e.g. MailUser.json.', ['input', 'files']);
  }
  files.forEach((file, index) => checkSnapshotFileName(file.name, ['input', 'files', String(index), 'name']));
  checkUniqueFileNames(
    files.map((file) => file.name),
    ['input', 'files'],
  );

  const { id, directory } = await createSnapshotFolder(dataDir);
  let sizeBytes = 0;
  try {
    for (const file of files) {
      await writeFile(path.join(directory, file.name), file.content, 'utf8');
      sizeBytes += Buffer.byteLength(file.content, 'utf8');
    }
  } catch (error) {
    await removeSnapshotFolder(directory);
    throw error;
  }
  return { id, directory, files: files.map((file) => file.name), sizeBytes };
}

export async function recordSnapshot(
  db: Executor,
  snapshot: { id: string; directory: string; files: string[]; sizeBytes: number; uploadedBy: string },
): Promise<SnapshotRow> {
  const [row] = await db.insert(snapshots).values(snapshot).returning();
  return row!;
}

/** Loads a snapshot a run may still use; throws NOT_FOUND or CONFLICT with what to do. */
export async function loadUsableSnapshot(db: Executor, id: string, inputPath: string[]): Promise<SnapshotRow> {
  const [row] = /^[0-9a-f-]{36}$/i.test(id) ? await db.select().from(snapshots).where(eq(snapshots.id, id)) : [];
  if (!row) {
    throw new DomainError(
      'NOT_FOUND',
      `Snapshot ${JSON.stringify(id)} not found. Upload the files with POST /snapshots and pass the id it returns.`,
      inputPath,
    );
  }
  if (row.consumedAt) {
    throw new DomainError(
      'CONFLICT',
      `Snapshot ${id} was already read by a successful synchronization run and its files are gone. Upload the files again.`,
      inputPath,
    );
  }
  return row;
}

export async function markSnapshotConsumed(db: Executor, id: string, at: Date): Promise<void> {
  await db.update(snapshots).set({ consumedAt: at }).where(eq(snapshots.id, id));
}

export async function removeSnapshotFolder(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true });
}

/**
 * Removes snapshots that no run used within `olderThanDays`, with their files. A snapshot whose run
 * failed is kept until then, so it can be synchronized again with `force`.
 */
export async function purgeUnusedSnapshots(db: Executor, olderThanDays: number): Promise<number> {
  const cutoff = new Date(Date.now() - olderThanDays * 86_400_000);
  const stale = await db
    .delete(snapshots)
    .where(and(isNull(snapshots.consumedAt), lt(snapshots.createdAt, cutoff)))
    .returning({ directory: snapshots.directory });
  for (const row of stale) await removeSnapshotFolder(row.directory);
  return stale.length;
}
