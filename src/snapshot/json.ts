import { basename } from 'node:path';
import { Tokenizer, TokenizerError, TokenParser, TokenParserError } from '@streamparser/json';
import { locateTextOffset, readTextChunks } from './encoding.js';
import { SnapshotError } from './errors.js';
import { jsonLocation, type RawRow, type RowSource } from './rows.js';

const FIX_HINT = 'Fix the file or export it again with ConvertTo-Json.';

/**
 * Reads a file as `ConvertTo-Json` writes it: an array of objects, or a single object when the cmdlet returned one.
 * The file is tokenized in 1 MiB chunks and each array element is released once it is yielded, so memory keeps at
 * most the elements of one chunk. An empty or whitespace-only file yields no rows.
 */
export function readJsonRows(file: string): RowSource {
  const name = basename(file);
  return { rows: generateRows(file, name), locate: (index) => jsonLocation(name, index) };
}

async function* generateRows(file: string, name: string): AsyncGenerator<RawRow> {
  const tokenizer = new Tokenizer();
  let parser: TokenParser | undefined;
  let rootIsArray = true;
  let tokenOffset = 0;
  let index = 0; // index of the array element being parsed
  const parsed: unknown[] = [];

  tokenizer.onToken = (token) => {
    tokenOffset = token.offset;
    parser!.write(token);
  };

  const rows = function* (): Generator<RawRow> {
    for (const value of parsed) {
      const ordinal = rootIsArray ? index : -1;
      const location = jsonLocation(name, ordinal);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new SnapshotError(
          { file, location },
          `the element is ${describeValue(value)}, but each element must be an object with one recipient's properties. ${FIX_HINT}`,
        );
      }
      index += 1;
      yield { values: value as Record<string, unknown>, ordinal, location };
    }
    parsed.length = 0;
  };

  for await (const text of readTextChunks(file)) {
    if (parser === undefined) {
      const start = text.search(/\S/);
      if (start !== -1) {
        const first = text[start];
        if (first !== '[' && first !== '{') {
          throw new SnapshotError(
            { file },
            `the file starts with "${text.slice(start, start + 20)}" instead of "[" or "{", so it is not ConvertTo-Json output. ${FIX_HINT}`,
          );
        }
        rootIsArray = first === '[';
        parser = new TokenParser({ paths: [rootIsArray ? '$.*' : '$'], keepStack: false });
        parser.onValue = ({ value }) => {
          parsed.push(value);
        };
        parser.onEnd = () => {
          if (!tokenizer.isEnded) tokenizer.end();
        };
      }
    }
    try {
      tokenizer.write(text);
    } catch (error) {
      throw await syntaxError(file, name, error, tokenOffset, rootIsArray ? index + parsed.length : -1);
    }
    yield* rows();
  }

  if (parser === undefined) return;
  const truncated = (cause?: unknown) =>
    new SnapshotError(
      { file, location: jsonLocation(name, rootIsArray ? index + parsed.length : -1) },
      `the JSON ends in the middle of this element, so the file is truncated. Export it again and check that the export finished.`,
      { cause },
    );
  try {
    if (!tokenizer.isEnded) tokenizer.end();
  } catch (error) {
    throw truncated(error);
  }
  // The tokenizer ends cleanly after any complete token, e.g. after `"Megan Bowen",`; only the parser
  // knows that the closing bracket of the root value never came.
  if (!parser.isEnded) throw truncated();
  yield* rows();
}

async function syntaxError(file: string, name: string, error: unknown, tokenOffset: number, ordinal: number): Promise<Error> {
  if (!(error instanceof TokenizerError) && !(error instanceof TokenParserError)) return error instanceof Error ? error : new Error(String(error));
  const tokenizerPosition = /absolute position "(\d+)"/.exec(error.message);
  const offset = tokenizerPosition ? Number(tokenizerPosition[1]) : tokenOffset;
  const { line, column } = await locateTextOffset(file, offset);

  // Rewords the messages of @streamparser/json 0.0.26, e.g. 'Unexpected "x" at chunk position ...' and
  // 'Unexpected NUMBER (2) in state COLON'. Any other message is kept as it is.
  let detail = error.message;
  const character = /^Unexpected "(.*)" at chunk position/s.exec(error.message);
  const token = /^Unexpected (\w+) \((.*)\) in state/s.exec(error.message);
  if (character) detail = `unexpected character ${JSON.stringify(character[1])}`;
  else if (token && PUNCTUATION.has(token[1]!)) detail = `unexpected ${token[2]}`;
  else if (token) detail = `unexpected ${token[1]!.toLowerCase()} ${token[2]}`;

  return new SnapshotError(
    { file, location: jsonLocation(name, ordinal) },
    `invalid JSON at line ${line}, column ${column}: ${detail}. ${FIX_HINT}`,
    { cause: error },
  );
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

const PUNCTUATION = new Set(['LEFT_BRACE', 'RIGHT_BRACE', 'LEFT_BRACKET', 'RIGHT_BRACKET', 'COLON', 'COMMA']);
