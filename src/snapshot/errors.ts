import { basename } from 'node:path';

/** Place of a {@link SnapshotError}: file, record location and field. */
export interface SnapshotErrorPlace {
  /** Path of the file as passed to `openSnapshot`, or '' when the error is in the options (the culture). */
  file: string;
  /** Record location in the form of `SnapshotRecord.location`: `MailUser.csv, row 12` or `MailUser.json, $[3]`. */
  location?: string;
  /** Property (CSV column) name. */
  field?: string;
}

/**
 * A snapshot file that cannot be read. The message starts with the place (file, row or JSONPath, field)
 * and goes on to say what is wrong with which value and what to do about it.
 */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
  readonly file: string;
  readonly location?: string;
  readonly field?: string;

  constructor(place: SnapshotErrorPlace, problem: string, options?: ErrorOptions) {
    const where = describePlace(place);
    super(where === '' ? problem : `${where}: ${problem}`, options);
    this.file = place.file;
    if (place.location !== undefined) this.location = place.location;
    if (place.field !== undefined) this.field = place.field;
  }
}

/**
 * Formats a place for a message: `MailUser.json, $[3].Guid` for JSON (JSONPath),
 * `MailUser.csv, row 12, column Guid` for CSV, and '' for an error in the options.
 */
export function describePlace(place: SnapshotErrorPlace): string {
  if (place.file === '' && place.location === undefined) return '';
  const where = place.location ?? basename(place.file);
  if (place.field === undefined) return where;
  if (place.location?.includes(', $')) return `${where}.${place.field}`;
  return `${where}, column ${place.field}`;
}

/** An invalid property value. The record reader adds the file, location and field, and rethrows it as a SnapshotError. */
export class InvalidValueError extends Error {
  override readonly name = 'InvalidValueError';
}
