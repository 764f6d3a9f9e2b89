/** A synchronization table that snapshot files can hold. */
export interface SnapshotTableSpec {
  /** Table name, e.g. 'MailUser', or a custom table's name. A file named `<name>.json` or `<name>.csv` is read as this table. */
  name: string;
  kind: 'OBJECT' | 'ASSIGNMENT';
  /** RecipientTypeDetails values that identify this table's rows (object tables only). */
  recipientTypeDetails?: readonly string[];
}

/** One object (or, in an assignment table, one membership) read from a snapshot file. */
export interface SnapshotRecord {
  /** The object's Guid in lower-case canonical form; for a member row `${groupGuid}:${memberGuid}`. */
  key: string;
  /** DisplayName, else Name, else Alias, else the key. */
  displayName: string;
  /**
   * Every property in the file, unknown ones included. Dates are ISO-8601 UTC strings, known multi-valued
   * properties are arrays ([] when empty), known booleans are booleans, and an empty string (CSV cell or JSON
   * string) is null.
   */
  properties: Record<string, unknown>;
  /** Place in the file, e.g. 'MailUser.csv, row 12' (spreadsheet row numbers, the header is row 1) or 'MailUser.json, $[3]'. */
  location: string;
  /** Member rows only: the group's Guid (GroupGuid), canonical form. */
  groupKey?: string;
  /** Member rows only: the member's Guid, canonical form. */
  memberKey?: string;
}

/** One snapshot file recognised as a table. */
export interface SnapshotTable {
  table: string;
  /** Path of the file as found (a folder path joined with the file name). */
  file: string;
  /**
   * The file's records, read lazily. Each iteration reads the file again from the start. Reading stops with a
   * SnapshotError at the first invalid row, so a caller must discard what it did with the earlier records.
   */
  records: AsyncIterable<SnapshotRecord>;
}

/** Options for `openSnapshot`. */
export interface ReadSnapshotOptions {
  /** BCP 47 tag of the exporting machine's culture (e.g. de-DE), for dates written in its format. */
  culture?: string;
  /** The tables a file may hold, e.g. `exchangeOnlineTableSpecs` plus the custom tables. */
  tables: readonly SnapshotTableSpec[];
}
