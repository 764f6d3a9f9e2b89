import { describe, expect, it } from 'vitest';
import { csv, folderWith, open, readAll, readSingle, snapshotError } from './helpers.js';

const guid = (n: number) => `9a7b6c5d-4e3f-4a2b-8c1d-${n.toString().padStart(12, '0')}`;
const contactsCsv = csv([['Guid', 'DisplayName', 'RecipientTypeDetails'], [guid(1), 'Jürgen Müller 😀', 'MailContact']]);
const contactsJson = JSON.stringify([{ Guid: guid(1), DisplayName: 'Jürgen Müller 😀', RecipientTypeDetails: 'MailContact' }]);

const utf8Bom = Buffer.from([0xef, 0xbb, 0xbf]);
const utf16le = (text: string, bom = true) => Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);
const utf16be = (text: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);

/** Returns the error of reading a file, whether openSnapshot finds it while peeking or the records do. */
async function readError(files: Record<string, string | Uint8Array>) {
  const folder = await folderWith(files);
  return snapshotError(open([folder]).then(async (tables) => readAll(tables[0]!)));
}

describe('snapshot encodings', () => {
  const variants: Array<[string, Record<string, Uint8Array>]> = [
    ['UTF-8 without BOM', { 'export.csv': Buffer.from(contactsCsv), 'export.json': Buffer.from(contactsJson) }],
    ['UTF-8 with BOM', { 'export.csv': Buffer.concat([utf8Bom, Buffer.from(contactsCsv)]), 'export.json': Buffer.concat([utf8Bom, Buffer.from(contactsJson)]) }],
    ['UTF-16 LE with BOM', { 'export.csv': utf16le(contactsCsv), 'export.json': utf16le(contactsJson) }],
    ['UTF-16 BE with BOM', { 'export.csv': utf16be(contactsCsv), 'export.json': utf16be(contactsJson) }],
    ['UTF-16 LE without BOM', { 'export.csv': utf16le(contactsCsv, false), 'export.json': utf16le(contactsJson, false) }],
  ];

  for (const [name, files] of variants) {
    it(`reads ${name}`, async () => {
      for (const [file, content] of Object.entries(files)) {
        const [record] = await readSingle({ [file]: content });
        expect(record!.displayName).toBe('Jürgen Müller 😀');
        expect(record!.key).toBe(guid(1));
      }
    });
  }

  it('decodes characters split across chunks', async () => {
    // Readers take 1 MiB chunks; shift the text so that multi-byte characters straddle every boundary.
    for (let shift = 0; shift < 4; shift += 1) {
      const rows = [['Guid', 'DisplayName', 'Notes']];
      const filler = 'x'.repeat(shift) + 'ü😀€'.repeat(40_000);
      rows.push([guid(1), 'Jürgen', filler], [guid(2), 'Zoë', filler]);
      for (const content of [Buffer.from(csv(rows)), utf16le(csv(rows))]) {
        const records = await readSingle({ 'MailContact.csv': content });
        expect(records.map((record) => record.properties.Notes)).toEqual([filler, filler]);
      }
    }
  });

  it('rejects Windows-1252 bytes in a UTF-8 file', async () => {
    const header = Buffer.from('"Guid","DisplayName"\r\n');
    const before = Buffer.from(`"${guid(1)}","J`);
    const row = Buffer.concat([before, Buffer.from([0xfc]), Buffer.from('rgen M\r\n')]);
    const error = await readError({ 'MailContact.csv': Buffer.concat([header, row]) });

    expect(error.message).toBe(
      `MailContact.csv: invalid UTF-8 at byte offset ${header.length + before.length} (line 2): the bytes 0xFC 0x72 are not a valid character. ` +
        'Export the file again as UTF-8 (Export-Csv -Encoding UTF8, or ConvertTo-Json | Out-File -Encoding utf8) or as UTF-16 with a byte order mark (-Encoding Unicode).',
    );
  });

  it('locates an invalid byte past 1 MiB', async () => {
    const rows = Array.from({ length: 30_000 }, (_, index) => [guid(index), `Contact ${index} with a rather long display name`]);
    const good = Buffer.from(csv([['Guid', 'DisplayName'], ...rows]));
    const before = Buffer.from(`"${guid(30_000)}","`);
    const bad = Buffer.concat([good, before, Buffer.from([0xe9, 0x41]), Buffer.from('"\r\n')]);
    const error = await readError({ 'MailContact.csv': bad });

    expect(good.length).toBeGreaterThan(1024 * 1024);
    expect(error.message).toMatch(new RegExp(`^MailContact\\.csv: invalid UTF-8 at byte offset ${good.length + before.length} \\(line 30002\\): the bytes 0xE9 0x41`));
  });

  it('rejects an unpaired surrogate in UTF-16', async () => {
    const text = utf16le(csv([['Guid', 'DisplayName'], [guid(1), 'Kim']]));
    const broken = Buffer.concat([text.subarray(0, 10), Buffer.from([0x00, 0xd8]), text.subarray(10)]);
    const error = await readError({ 'MailContact.csv': broken });

    expect(error.message).toMatch(/^MailContact\.csv: invalid UTF-16LE at byte offset 10 \(line 1\): the bytes 0x00 0xD8 are not a valid character/);
  });

  it('rejects truncated UTF-16', async () => {
    const text = utf16le(csv([['Guid', 'DisplayName'], [guid(1), 'Kim']]));
    const error = await readError({ 'MailContact.csv': text.subarray(0, text.length - 1) });

    expect(error.message).toMatch(/^MailContact\.csv: invalid UTF-16LE: the file ends in the middle of a character at byte offset \d+\. The file is truncated/);
  });
});
