import { createReadStream } from 'node:fs';
import { findInvalidUtf16, findInvalidUtf8, incompleteTail, lastBytes } from './byte-sequences.js';
import { SnapshotError } from './errors.js';

/** The text encodings PowerShell writes: UTF8 (with or without BOM) and Unicode/BigEndianUnicode (UTF-16). */
export type SnapshotEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

const CHUNK_BYTES = 1024 * 1024;

const REEXPORT_HINT =
  'Export the file again as UTF-8 (Export-Csv -Encoding UTF8, or ConvertTo-Json | Out-File -Encoding utf8) ' +
  'or as UTF-16 with a byte order mark (-Encoding Unicode).';

/** Detects the encoding from the byte order mark, or from a NUL in the first two bytes. */
export function detectEncoding(head: Uint8Array): { encoding: SnapshotEncoding; bomLength: number } {
  const [b0, b1, b2, b3] = head;
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (b0 === 0xff && b1 === 0xfe && !(b2 === 0 && b3 === 0)) return { encoding: 'utf-16le', bomLength: 2 };
  if (b0 === 0xfe && b1 === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  // JSON and CSV start with an ASCII character, which UTF-16 without a BOM writes next to a NUL byte.
  if (head.length >= 2 && b0 !== 0 && b1 === 0) return { encoding: 'utf-16le', bomLength: 0 };
  if (head.length >= 2 && b0 === 0 && b1 !== 0) return { encoding: 'utf-16be', bomLength: 0 };
  return { encoding: 'utf-8', bomLength: 0 };
}

/**
 * Reads a file as decoded text chunks of about 1 MiB, without the byte order mark.
 * Throws SnapshotError naming the byte offset and line of the first byte sequence that is invalid
 * in the detected encoding (UTF-32 files and Windows code pages such as 1252 end up here).
 */
export async function* readTextChunks(file: string): AsyncGenerator<string> {
  const stream = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  let head: Buffer | undefined = Buffer.alloc(0); // the first bytes, until there are enough to detect the encoding
  let decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let encoding: SnapshotEncoding = 'utf-8';
  let bomLength = 0;
  let offset = 0; // file offset of the next byte to decode
  let carry: Uint8Array = new Uint8Array(0); // undecoded bytes the decoder holds back, for locating an error

  const startDecoding = (bytes: Buffer): Buffer => {
    ({ encoding, bomLength } = detectEncoding(bytes));
    decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
    offset = bomLength;
    return bytes.subarray(bomLength);
  };
  const decode = async (bytes: Uint8Array): Promise<string> => {
    const text = decodeChunk(decoder, bytes, true);
    if (text === undefined) throw await invalidEncodingError(file, encoding, bomLength, carry, bytes, offset);
    carry = incompleteTail(lastBytes(carry, bytes), encoding);
    offset += bytes.length;
    return text;
  };

  try {
    for await (const data of stream as AsyncIterable<Buffer>) {
      let bytes = data;
      if (head !== undefined) {
        head = Buffer.concat([head, data]);
        if (head.length < 4) continue;
        bytes = startDecoding(head);
        head = undefined;
      }
      const text = await decode(bytes);
      if (text !== '') yield text;
    }
    if (head !== undefined) {
      if (head.length === 0) return;
      const text = await decode(startDecoding(head)); // a file shorter than four bytes
      if (text !== '') yield text;
    }

    const rest = decodeChunk(decoder, new Uint8Array(0), false);
    if (rest === undefined) {
      throw new SnapshotError(
        { file },
        `invalid ${encoding.toUpperCase()}: the file ends in the middle of a character at byte offset ${offset - carry.length}. ` +
          `The file is truncated or not ${encoding.toUpperCase()}. ${REEXPORT_HINT}`,
      );
    }
    if (rest !== '') yield rest;
  } finally {
    stream.destroy();
  }
}

function decodeChunk(decoder: TextDecoder, bytes: Uint8Array, stream: boolean): string | undefined {
  try {
    return decoder.decode(bytes, { stream });
  } catch (error) {
    if (error instanceof TypeError) return undefined;
    throw error;
  }
}

async function invalidEncodingError(
  file: string,
  encoding: SnapshotEncoding,
  bomLength: number,
  carry: Uint8Array,
  bytes: Uint8Array,
  offset: number,
): Promise<SnapshotError> {
  const window = Buffer.concat([carry, bytes]);
  const index = encoding === 'utf-8' ? findInvalidUtf8(window) : findInvalidUtf16(window, encoding === 'utf-16le');
  const at = offset - carry.length + Math.max(index, 0);
  const line = await countLines(file, at, encoding, bomLength);
  const badBytes = Array.from(window.subarray(Math.max(index, 0), Math.max(index, 0) + 2), (b) =>
    `0x${b.toString(16).padStart(2, '0').toUpperCase()}`,
  ).join(' ');
  return new SnapshotError(
    { file },
    `invalid ${encoding.toUpperCase()} at byte offset ${at} (line ${line}): the bytes ${badBytes} are not a valid character. ${REEXPORT_HINT}`,
  );
}

/** Counts the lines up to a byte offset, decoding leniently. Used only to describe an error. */
async function countLines(file: string, end: number, encoding: SnapshotEncoding, bomLength: number): Promise<number> {
  if (end <= bomLength) return 1;
  const decoder = new TextDecoder(encoding, { fatal: false, ignoreBOM: true });
  let lines = 1;
  for await (const data of createReadStream(file, { start: bomLength, end: end - 1, highWaterMark: CHUNK_BYTES })) {
    const text = decoder.decode(data as Buffer, { stream: true });
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines += 1;
  }
  return lines;
}

/**
 * Converts an offset in the UTF-8 form of the decoded text, which is what the JSON tokenizer counts, into a line and
 * column. Reads the file again, so it is used only to describe an error.
 */
export async function locateTextOffset(file: string, utf8Offset: number): Promise<{ line: number; column: number }> {
  let before = 0;
  let line = 1;
  let column = 1;
  for await (const text of readTextChunks(file)) {
    const size = Buffer.byteLength(text, 'utf8');
    const inside = before + size > utf8Offset;
    const part = inside ? Buffer.from(text, 'utf8').subarray(0, utf8Offset - before).toString('utf8') : text;
    const lastNewline = part.lastIndexOf('\n');
    for (let i = part.indexOf('\n'); i !== -1; i = part.indexOf('\n', i + 1)) line += 1;
    column = lastNewline === -1 ? column + part.length : part.length - lastNewline;
    if (inside) break;
    before += size;
  }
  return { line, column };
}
