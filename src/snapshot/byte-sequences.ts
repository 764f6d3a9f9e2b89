/** Checks of UTF-8 and UTF-16 byte sequences for the streaming decoder in encoding.ts. */
import type { SnapshotEncoding } from './encoding.js';

/** Returns the index of the first byte that cannot start or continue a UTF-8 character, or -1. */
export function findInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    let following: number;
    let lower = 0x80;
    let upper = 0xbf;
    // Byte ranges from the WHATWG Encoding Standard's UTF-8 decoder: no overlong forms, no surrogates, at most U+10FFFF.
    if (lead >= 0xc2 && lead <= 0xdf) following = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      following = 2;
      if (lead === 0xe0) lower = 0xa0;
      if (lead === 0xed) upper = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      following = 3;
      if (lead === 0xf0) lower = 0x90;
      if (lead === 0xf4) upper = 0x8f;
    } else return i;
    for (let k = 1; k <= following; k += 1) {
      if (i + k >= bytes.length) return -1;
      const next = bytes[i + k]!;
      if (next < lower || next > upper) return i;
      lower = 0x80;
      upper = 0xbf;
    }
    i += following + 1;
  }
  return -1;
}


/** Returns the byte index of the first unpaired surrogate, or -1. */
export function findInvalidUtf16(bytes: Uint8Array, littleEndian: boolean): number {
  const unit = (i: number) => (littleEndian ? bytes[i]! | (bytes[i + 1]! << 8) : (bytes[i]! << 8) | bytes[i + 1]!);
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    const code = unit(i);
    if (code >= 0xdc00 && code <= 0xdfff) return i;
    if (code >= 0xd800 && code <= 0xdbff) {
      if (i + 3 >= bytes.length) return -1;
      const next = unit(i + 2);
      if (next < 0xdc00 || next > 0xdfff) return i;
      i += 2;
    }
  }
  return -1;
}


/** Returns the last few bytes of `carry` + `bytes`, starting at an even offset so that UTF-16 units stay aligned. */
export function lastBytes(carry: Uint8Array, bytes: Uint8Array): Uint8Array {
  const total = carry.length + bytes.length;
  let start = Math.max(0, total - 7);
  if (start % 2 === 1) start += 1;
  if (start >= carry.length) return bytes.subarray(start - carry.length);
  return Buffer.concat([carry.subarray(start), bytes]);
}


/** Returns the trailing bytes of an unfinished character, which a streaming decoder holds back. */
export function incompleteTail(bytes: Uint8Array, encoding: SnapshotEncoding): Uint8Array {
  const n = bytes.length;
  if (encoding !== 'utf-8') {
    let tail = n % 2;
    const last = n - tail - 2;
    if (last >= 0) {
      const code = encoding === 'utf-16le' ? bytes[last]! | (bytes[last + 1]! << 8) : (bytes[last]! << 8) | bytes[last + 1]!;
      if (code >= 0xd800 && code <= 0xdbff) tail += 2;
    }
    return bytes.slice(n - tail);
  }
  for (let j = n - 1; j >= Math.max(0, n - 3); j -= 1) {
    const b = bytes[j]!;
    if (b < 0x80) break;
    if (b >= 0xc0) {
      let length = 2;
      if (b >= 0xe0) length = 3;
      if (b >= 0xf0) length = 4;
      return j + length > n ? bytes.slice(j) : new Uint8Array(0);
    }
  }
  return new Uint8Array(0);
}
