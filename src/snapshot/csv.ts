import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { readTextChunks } from './encoding.js';
import { SnapshotError } from './errors.js';
import { csvLocation, type RawRow, type RowSource } from './rows.js';

/** Maximum length of one row, in characters. It stops a missing closing quote from buffering the rest of the file. */
const MAX_ROW_CHARACTERS = 32 * 1024 * 1024;

/**
 * Reads a file as `Export-Csv` writes it: an optional `#TYPE` line, a header row and one row per object, separated
 * by commas or, with `-UseCulture` on many European systems, semicolons (detected from the header row).
 * Cells are strings, and an empty cell is ''. `onHeader` receives the column names and the header row's location before the first row, and may throw.
 */
export function readCsvRows(file: string, onHeader?: (columns: string[], location: string) => void): RowSource {
  const name = basename(file);
  return { rows: generateRows(file, name, onHeader), locate: (row) => csvLocation(name, row) };
}

async function* generateRows(file: string, name: string, onHeader?: (columns: string[], location: string) => void): AsyncGenerator<RawRow> {
  const chunks = readTextChunks(file);
  const { head, typeLines } = await readHeaderLine(chunks);
  if (head === '') return;

  const delimiter = detectDelimiter(head);
  const parser = parse({ delimiter, skip_empty_lines: true, max_record_size: MAX_ROW_CHARACTERS });
  const source = Readable.from(
    (async function* () {
      yield head;
      yield* chunks;
    })(),
    { objectMode: false },
  );
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);

  let columns: string[] | undefined;
  let row = typeLines;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row += 1;
      if (columns === undefined) {
        columns = checkHeader(file, name, record, row);
        onHeader?.(columns, csvLocation(name, row));
        continue;
      }
      const values: Record<string, unknown> = {};
      for (let i = 0; i < columns.length; i += 1) values[columns[i]!] = record[i];
      yield { values, ordinal: row, location: csvLocation(name, row) };
    }
  } catch (error) {
    if (error instanceof CsvError) throw csvSyntaxError(file, name, error, { typeLines, delimiter, head });
    throw error;
  } finally {
    source.destroy();
    parser.destroy();
  }
}

/** Reads chunks until the header row is complete. Drops a leading `#TYPE` line, which Export-Csv writes without -NoTypeInformation. */
async function readHeaderLine(chunks: AsyncGenerator<string>): Promise<{ head: string; typeLines: number }> {
  let head = '';
  let typeLines = 0;
  for (;;) {
    if (typeLines === 0 && head.startsWith('#TYPE')) {
      const end = head.indexOf('\n');
      if (end !== -1) {
        head = head.slice(end + 1);
        typeLines = 1;
        continue;
      }
    } else if (head.length >= 5 && head.includes('\n')) {
      return { head, typeLines };
    }
    const next = await chunks.next();
    if (next.done) {
      // A file with only a #TYPE line has no header either.
      if (typeLines === 0 && head.startsWith('#TYPE')) return { head: '', typeLines: 1 };
      return { head: head.trim() === '' ? '' : head, typeLines };
    }
    head += next.value;
  }
}

function detectDelimiter(head: string): string {
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0]]);
  let quoted = false;
  for (const character of head) {
    if (character === '"') quoted = !quoted;
    else if (!quoted && (character === '\n' || character === '\r')) break;
    else if (!quoted && counts.has(character)) counts.set(character, counts.get(character)! + 1);
  }
  let best = ',';
  for (const [candidate, count] of counts) if (count > counts.get(best)!) best = candidate;
  return best;
}

function checkHeader(file: string, name: string, header: string[], row: number): string[] {
  const seen = new Set<string>();
  header.forEach((column, index) => {
    const location = csvLocation(name, row);
    if (column.trim() === '') {
      throw new SnapshotError({ file, location }, `column ${index + 1} of the header row has no name. Export the file again with Export-Csv.`);
    }
    if (seen.has(column.toLowerCase())) {
      throw new SnapshotError({ file, location, field: column }, `the header row names the column "${column}" twice. Remove one of them.`);
    }
    seen.add(column.toLowerCase());
  });
  return header;
}

function csvSyntaxError(file: string, name: string, error: CsvError, format: { typeLines: number; delimiter: string; head: string }): SnapshotError {
  const { typeLines, delimiter } = format;
  // csv-parse counts the records it has completed (the header included), so the failing row is the next one.
  const records = typeof error.records === 'number' ? error.records : 0;
  const location = csvLocation(name, records + 1 + typeLines);
  const line = typeof error.lines === 'number' ? ` (line ${error.lines + typeLines})` : '';
  const delimiterName = delimiter === '\t' ? 'tab' : `"${delimiter}"`;
  let problem: string;
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      problem = `a quoted cell that starts in this row is never closed${line}. The file is truncated or a quote is missing. Export it again.`;
      break;
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'INVALID_OPENING_QUOTE':
      problem = `a cell contains a quote that is not doubled${line}. Inside a quoted cell write "" for a quote, or export the file again with Export-Csv.`;
      break;
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
      const cells = Array.isArray(error.record) ? error.record.length : '?';
      const columns = countHeaderColumns(format.head, delimiter);
      problem = `the row has ${cells} cells but the header row has ${columns} columns${line}. Quote cells that contain the delimiter ${delimiterName}, or export the file again with Export-Csv.`;
      break;
    }
    case 'CSV_MAX_RECORD_SIZE':
      problem = `the row is longer than ${MAX_ROW_CHARACTERS} characters${line}, which usually means a closing quote is missing. Fix the quotes or export the file again.`;
      break;
    default:
      problem = `invalid CSV${line}: ${error.message}. Export the file again with Export-Csv.`;
  }
  return new SnapshotError({ file, location }, problem, { cause: error });
}

/** Counts the header row's columns for an error message, because the parser can fail before it returns the header row. */
function countHeaderColumns(head: string, delimiter: string): number {
  const headerLine = head.slice(0, head.search(/\r?\n|$/));
  const [header] = parseSync(headerLine, { delimiter, relax_quotes: true }) as string[][];
  return header?.length ?? 0;
}
