/** One object as read from a file, before its values are normalized. */
export interface RawRow {
  values: Record<string, unknown>;
  /** CSV: the row number as a spreadsheet shows it (the header is row 1). JSON: the array index, or -1 for a single root object. */
  ordinal: number;
  /** The row's place, as `locate` formats it. */
  location: string;
}

/** The readers' common shape: rows of one file, and how to name the place of any row. */
export interface RowSource {
  rows: AsyncGenerator<RawRow>;
  locate(ordinal: number): string;
}

/** Formats a CSV location from the file's base name, e.g. `MailUser.csv, row 12`. */
export function csvLocation(name: string, row: number): string {
  return `${name}, row ${row}`;
}

/** Formats a JSON location from the file's base name as a JSONPath: `MailUser.json, $[3]`, or `MailUser.json, $` for a single root object. */
export function jsonLocation(name: string, index: number): string {
  return index < 0 ? `${name}, $` : `${name}, $[${index}]`;
}
