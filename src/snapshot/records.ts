import { readCsvRows } from './csv.js';
import type { DateCulture } from './dates.js';
import { InvalidValueError, SnapshotError } from './errors.js';
import { readJsonRows } from './json.js';
import { normalizeProperty, type NormalizeOptions } from './properties.js';
import type { RawRow } from './rows.js';
import type { SnapshotRecord, SnapshotTableSpec } from './types.js';

/** Options for {@link readRecords}: one file, read as one table. */
export interface RecordReaderOptions {
  file: string;
  format: 'csv' | 'json';
  spec: SnapshotTableSpec;
  culture: DateCulture | undefined;
  /** RecipientTypeDetails values of every table, to reject a row that belongs to another table. */
  tableByRecipientType: Map<string, string>;
}

/** Returns the columns every row of a table needs: Guid, and for member rows also GroupGuid. */
export function requiredFields(spec: SnapshotTableSpec): string[] {
  return spec.kind === 'ASSIGNMENT' ? ['GroupGuid', 'Guid'] : ['Guid'];
}

/** Throws unless a CSV header row has every required column. */
export function checkRequiredColumns(file: string, columns: string[], spec: SnapshotTableSpec, location: string): void {
  for (const field of requiredFields(spec)) {
    if (!columns.includes(field)) {
      throw new SnapshotError(
        { file, location, field },
        `the header row has no column ${field}, which every ${spec.name} row needs. Include ${field} in the export (Select-Object ${field}, ...).`,
      );
    }
  }
}

/**
 * Reads a file's rows as records of one table: normalizes every property, checks the keys and rejects a key that
 * occurs twice. Throws SnapshotError at the first invalid row.
 */
export async function* readRecords(options: RecordReaderOptions): AsyncGenerator<SnapshotRecord> {
  const { file, spec } = options;
  const source =
    options.format === 'csv'
      ? readCsvRows(file, (columns, location) => checkRequiredColumns(file, columns, spec, location))
      : readJsonRows(file);
  const normalize: NormalizeOptions = { format: options.format, culture: options.culture };
  const ownTypes = new Set(spec.recipientTypeDetails?.map((type) => type.toLowerCase()));

  // The first place of every key, for naming both rows of a duplicate. Estimate: 50,000 keys added about 6 MB of
  // heap in large.test.ts, so 250,000 objects take about 30 MB. Member rows have 73-character keys, about twice that.
  const seen = new Map<string, number>();

  for await (const row of source.rows) {
    const properties = normalizeRow(row, file, normalize);
    const record = spec.kind === 'ASSIGNMENT' ? memberRecord(row, file, properties) : objectRecord(row, file, properties);

    if (ownTypes.size > 0) checkRecipientType(row, options, ownTypes, properties.RecipientTypeDetails);

    const first = seen.get(record.key);
    if (first !== undefined) {
      throw new SnapshotError(
        { file, location: row.location },
        `the key ${record.key} occurs twice in table ${spec.name}: in ${source.locate(first)} and here. Remove the duplicate row or export the table again.`,
      );
    }
    seen.set(record.key, row.ordinal);
    yield record;
  }
}

function normalizeRow(row: RawRow, file: string, options: NormalizeOptions): Record<string, unknown> {
  const values = row.values;
  for (const field of Object.keys(values)) {
    try {
      values[field] = normalizeProperty(field, values[field], options);
    } catch (error) {
      if (!(error instanceof InvalidValueError)) throw error;
      throw new SnapshotError({ file, location: row.location, field }, error.message, { cause: error });
    }
  }
  return values;
}

function objectRecord(row: RawRow, file: string, properties: Record<string, unknown>): SnapshotRecord {
  const key = readGuid(row, file, properties, 'Guid');
  return { key, displayName: displayNameOf(properties, key), properties, location: row.location };
}

function memberRecord(row: RawRow, file: string, properties: Record<string, unknown>): SnapshotRecord {
  const groupKey = readGuid(row, file, properties, 'GroupGuid');
  const memberKey = readGuid(row, file, properties, 'Guid');
  const key = `${groupKey}:${memberKey}`;
  return { key, displayName: displayNameOf(properties, key), properties, location: row.location, groupKey, memberKey };
}

const GUID_WITH_HYPHENS = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i;
const GUID_DIGITS_ONLY = /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/i;

/** Reads a GUID field in any form .NET's Guid.ToString writes (D, N, B, P) and returns it as lower-case D form. */
function readGuid(row: RawRow, file: string, properties: Record<string, unknown>, field: string): string {
  const value = properties[field];
  const place = { file, location: row.location, field };
  if (value === undefined || value === null || value === '') {
    throw new SnapshotError(place, `the ${field} is missing or empty, but every row needs one as its key. Include ${field} in the export.`);
  }
  if (typeof value !== 'string') {
    throw new SnapshotError(place, `the ${field} is ${JSON.stringify(value)}, not a string. Export ${field} as it is, e.g. "6d1b2a2e-8c1f-4a57-9f0e-3c2a1b0d4e5f".`);
  }
  const text = value.trim();
  const unwrapped = /^\{.*\}$|^\(.*\)$/s.test(text) ? text.slice(1, -1) : text;
  const match = GUID_WITH_HYPHENS.exec(unwrapped) ?? (unwrapped === text ? GUID_DIGITS_ONLY.exec(text) : null);
  if (!match) {
    throw new SnapshotError(place, `the ${field} "${value}" is not a GUID. Export ${field} as it is, e.g. "6d1b2a2e-8c1f-4a57-9f0e-3c2a1b0d4e5f".`);
  }
  return match.slice(1, 6).join('-').toLowerCase();
}

function displayNameOf(properties: Record<string, unknown>, key: string): string {
  for (const field of ['DisplayName', 'Name', 'Alias']) {
    const value = properties[field];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return key;
}

function checkRecipientType(row: RawRow, options: RecordReaderOptions, ownTypes: Set<string>, type: unknown): void {
  if (typeof type !== 'string' || ownTypes.has(type.toLowerCase())) return;
  const otherTable = options.tableByRecipientType.get(type.toLowerCase());
  if (otherTable === undefined) return;
  throw new SnapshotError(
    { file: options.file, location: row.location, field: 'RecipientTypeDetails' },
    `the row is a ${type}, which belongs in table ${otherTable}, not ${options.spec.name}. Export each cmdlet's output to its own file.`,
  );
}
