/**
 * Reads the files that Exchange Online administrators export (ConvertTo-Json and Export-Csv output of
 * Get-MailUser, Get-MailContact, Get-DistributionGroup and Get-DistributionGroupMember) into records, as streams.
 * Memory use grows with the size of a 1 MiB read chunk and of one row, not of the file, plus one key per row for
 * the duplicate check.
 */
import { basename } from 'node:path';
import { resolveDateCulture, type DateCulture } from './dates.js';
import { SnapshotError } from './errors.js';
import { readRecords } from './records.js';
import { listSnapshotFiles, recognizeTable, type SnapshotFile } from './recognize.js';
import type { ReadSnapshotOptions, SnapshotTable, SnapshotTableSpec } from './types.js';

export { SnapshotError } from './errors.js';
export type { ReadSnapshotOptions, SnapshotRecord, SnapshotTable, SnapshotTableSpec } from './types.js';

const builtInTables: SnapshotTableSpec[] = [
  { name: 'MailUser', kind: 'OBJECT', recipientTypeDetails: ['MailUser', 'GuestMailUser'] },
  { name: 'MailContact', kind: 'OBJECT', recipientTypeDetails: ['MailContact'] },
  {
    name: 'DistributionGroup',
    kind: 'OBJECT',
    recipientTypeDetails: ['MailUniversalDistributionGroup', 'MailUniversalSecurityGroup', 'RoomList'],
  },
  { name: 'DistributionGroupMember', kind: 'ASSIGNMENT' },
];

/** The built-in Exchange Online tables, frozen. */
export const exchangeOnlineTableSpecs: readonly SnapshotTableSpec[] = Object.freeze(
  builtInTables.map((spec) => Object.freeze({ ...spec, recipientTypeDetails: Object.freeze(spec.recipientTypeDetails) })),
);

/**
 * Opens a snapshot: recognises the table of each file by peeking at its beginning, and returns one
 * {@link SnapshotTable} per file, in the order of `options.tables`. Records are read only when iterated.
 * Accepts files and folders (a folder means every .json/.csv file in it, not recursive).
 *
 * Throws SnapshotError for a missing path, an unknown file type, an invalid culture, a file whose table cannot be
 * recognised, and two files for the same table. Errors inside the rows surface while iterating `records`.
 */
export async function openSnapshot(paths: string[], options: ReadSnapshotOptions): Promise<SnapshotTable[]> {
  checkTableSpecs(options.tables);
  const culture = options.culture === undefined ? undefined : resolveCulture(options.culture);

  const tableByRecipientType = new Map<string, string>();
  for (const table of options.tables) {
    for (const type of table.recipientTypeDetails ?? []) tableByRecipientType.set(type.toLowerCase(), table.name);
  }

  const found = new Map<string, { spec: SnapshotTableSpec; source: SnapshotFile }>();
  for (const source of await listSnapshotFiles(paths)) {
    const spec = await recognizeTable(source, options.tables);
    const other = found.get(spec.name);
    if (other !== undefined) {
      throw new SnapshotError(
        { file: source.file },
        `the file contains table ${spec.name}, and so does ${basename(other.source.file)}. Keep one file per table in a snapshot.`,
      );
    }
    found.set(spec.name, { spec, source });
  }

  return options.tables.flatMap((spec) => {
    const entry = found.get(spec.name);
    if (entry === undefined) return [];
    const { file, format } = entry.source;
    const records = { [Symbol.asyncIterator]: () => readRecords({ file, format, spec, culture, tableByRecipientType }) };
    return [{ table: spec.name, file, records }];
  });
}

function resolveCulture(tag: string): DateCulture {
  try {
    return resolveDateCulture(tag);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new SnapshotError({ file: '', field: 'culture' }, error.message, { cause: error });
  }
}

function checkTableSpecs(tables: readonly SnapshotTableSpec[]): void {
  const names = new Set<string>();
  for (const table of tables) {
    if (table.name.trim() === '') throw new TypeError('A snapshot table spec has an empty name.');
    if (names.has(table.name.toLowerCase())) throw new TypeError(`The snapshot table specs name table ${table.name} twice.`);
    names.add(table.name.toLowerCase());
  }
}
