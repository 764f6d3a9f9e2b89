import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { readCsvRows } from './csv.js';
import { SnapshotError } from './errors.js';
import { readJsonRows } from './json.js';
import { checkRequiredColumns } from './records.js';
import type { RawRow } from './rows.js';
import type { SnapshotTableSpec } from './types.js';

/** A snapshot file with its format, taken from the extension. */
export interface SnapshotFile {
  file: string;
  format: 'csv' | 'json';
}

const RENAME_HINT = 'Name the file after its table, e.g. MailUser.csv or DistributionGroupMember.json.';

/**
 * Expands the given paths into snapshot files: a file is taken as it is, a folder stands for every .json and .csv
 * file directly in it (sorted by name, hidden files skipped). Throws SnapshotError for a missing path, a file of
 * another type, or a folder without snapshot files.
 */
export async function listSnapshotFiles(paths: string[]): Promise<SnapshotFile[]> {
  const files = new Map<string, SnapshotFile>();
  for (const path of paths) {
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new SnapshotError({ file: path }, 'the file or folder does not exist. Check the path.');
      throw error;
    });
    if (info.isDirectory()) {
      const names = (await readdir(path)).filter((name) => !name.startsWith('.') && formatOf(name) !== undefined).sort();
      if (names.length === 0) {
        throw new SnapshotError({ file: path }, 'the folder contains no .json or .csv file. Put the exported files directly into it.');
      }
      for (const name of names) files.set(join(path, name), { file: join(path, name), format: formatOf(name)! });
    } else {
      const format = formatOf(path);
      if (format === undefined) {
        throw new SnapshotError({ file: path }, `the file type "${extname(path)}" is not supported. Export the snapshot as .json or .csv.`);
      }
      files.set(path, { file: path, format });
    }
  }
  return [...files.values()];
}

function formatOf(name: string): 'csv' | 'json' | undefined {
  const extension = extname(name).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.json') return 'json';
  return undefined;
}

/**
 * Finds the table of a file: by its name when it is a table name (compared case-insensitively), else by its first
 * row: a GroupGuid means member rows, otherwise RecipientTypeDetails selects the object table.
 * Reads only the header and the first row. Throws SnapshotError when the table is not recognised.
 */
export async function recognizeTable(source: SnapshotFile, tables: readonly SnapshotTableSpec[]): Promise<SnapshotTableSpec> {
  const { file, format } = source;
  let columns: string[] | undefined;
  let headerLocation = '';
  const onHeader = (names: string[], location: string) => {
    columns = names;
    headerLocation = location;
  };
  const { rows } = format === 'csv' ? readCsvRows(file, onHeader) : readJsonRows(file);
  let first: RawRow | undefined;
  try {
    const next = await rows.next();
    if (!next.done) first = next.value;
  } finally {
    await rows.return(undefined);
  }

  const stem = basename(file, extname(file)).toLowerCase();
  const spec = tables.find((table) => table.name.toLowerCase() === stem) ?? recognizeFromContent(file, tables, columns, first);
  if (columns !== undefined) checkRequiredColumns(file, columns, spec, headerLocation);
  return spec;
}

function recognizeFromContent(file: string, tables: readonly SnapshotTableSpec[], columns: string[] | undefined, first: RawRow | undefined): SnapshotTableSpec {
  if (columns?.includes('GroupGuid') || (first !== undefined && 'GroupGuid' in first.values)) {
    const assignments = tables.filter((table) => table.kind === 'ASSIGNMENT');
    if (assignments.length === 1) return assignments[0]!;
    const names = assignments.map((table) => table.name).join(', ');
    throw new SnapshotError(
      { file, field: 'GroupGuid' },
      assignments.length === 0
        ? 'the file has member rows (a GroupGuid column), but no assignment table is configured for them.'
        : `the file has member rows (a GroupGuid column), which could belong to any of the tables ${names}. ${RENAME_HINT}`,
    );
  }
  if (first === undefined) {
    throw new SnapshotError({ file }, `the file is empty and its name is not a table name, so its table is unknown. ${RENAME_HINT}`);
  }

  const type = first.values.RecipientTypeDetails;
  const place = { file, location: first.location, field: 'RecipientTypeDetails' };
  if (typeof type !== 'string' || type === '') {
    throw new SnapshotError(place, `the first row has no RecipientTypeDetails, so the file's table is unknown. Include RecipientTypeDetails in the export, or ${RENAME_HINT.charAt(0).toLowerCase()}${RENAME_HINT.slice(1)}`);
  }
  const matches = tables.filter((table) => table.recipientTypeDetails?.some((value) => value.toLowerCase() === type.toLowerCase()));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    const known = tables.flatMap((table) => table.recipientTypeDetails ?? []).join(', ');
    throw new SnapshotError(place, `the first row's RecipientTypeDetails "${type}" belongs to no table (known: ${known}). ${RENAME_HINT}`);
  }
  throw new SnapshotError(place, `the first row's RecipientTypeDetails "${type}" belongs to several tables (${matches.map((table) => table.name).join(', ')}). ${RENAME_HINT}`);
}
