import { describe, expect, it } from 'vitest';
import { folderWith, open, readAll, readSingle, snapshotError } from './helpers.js';

const guid = (n: number) => `9a7b6c5d-4e3f-4a2b-8c1d-${n.toString().padStart(12, '0')}`;
const contact = (n: number, extra: Record<string, unknown> = {}) => ({ Guid: guid(n), Name: `contact${n}`, RecipientTypeDetails: 'MailContact', ...extra });

/** Returns the error of reading a MailContact.json, whether openSnapshot finds it while peeking or the records do. */
async function readJsonError(text: string) {
  const folder = await folderWith({ 'MailContact.json': text });
  return snapshotError(open([folder]).then(async (tables) => readAll(tables[0]!)));
}

describe('JSON snapshot files', () => {
  it('reads a single object as one record', async () => {
    const records = await readSingle({ 'MailContact.json': JSON.stringify(contact(1), null, 4) });

    expect(records).toHaveLength(1);
    expect(records[0]!.location).toBe('MailContact.json, $');
  });

  it('reads every date form', async () => {
    const text = JSON.stringify([
      contact(1, {
        WhenChanged: '/Date(1793787300000)/',
        WhenCreated: '/Date(1793787300000+0100)/',
        WhenChangedUTC: '/Date(-62135596800000)/',
        WhenCreatedUTC: '2026-11-04T11:15:00.1234567+01:00',
        WhenSoftDeleted: { value: '/Date(1793787300000)/', DisplayHint: 2, DateTime: 'Wednesday, November 4, 2026 10:15:00 AM' },
        LastSyncDate: '2026-11-04',
      }),
    ]).replaceAll('/Date', '\\/Date').replaceAll(')/', ')\\/');
    const [record] = await readSingle({ 'MailContact.json': text });

    expect(record!.properties).toMatchObject({
      WhenChanged: '2026-11-04T10:15:00.000Z',
      WhenCreated: '2026-11-04T10:15:00.000Z',
      WhenChangedUTC: '0001-01-01T00:00:00.000Z',
      WhenCreatedUTC: '2026-11-04T10:15:00.123Z',
      WhenSoftDeleted: '2026-11-04T10:15:00.000Z',
      LastSyncDate: '2026-11-04T00:00:00.000Z',
    });
  });

  it('keeps nested and unknown values', async () => {
    const nested = { Department: 'Sales', Cost: { Center: 4711, Shared: true } };
    const [record] = await readSingle({ 'MailContact.json': JSON.stringify([contact(1, { Extra: nested, MaxSendSize: 35840, Note: 'System.Data' })]) });

    expect(record!.properties).toEqual({ ...contact(1), Extra: nested, MaxSendSize: 35840, Note: 'System.Data' });
  });

  it('splits a joined multi-valued string', async () => {
    const [record] = await readSingle({ 'MailContact.json': JSON.stringify([contact(1, { EmailAddresses: 'SMTP:a@contoso.com;smtp:b@contoso.com', ManagedBy: null })]) });

    expect(record!.properties.EmailAddresses).toEqual(['SMTP:a@contoso.com', 'smtp:b@contoso.com']);
    expect(record!.properties.ManagedBy).toEqual([]);
  });

  it('rejects a type name left by a shallow -Depth', async () => {
    const error = await readJsonError(JSON.stringify([contact(1), contact(2, { EmailAddresses: 'System.Collections.ArrayList' })]));

    expect(error.location).toBe('MailContact.json, $[1]');
    expect(error.field).toBe('EmailAddresses');
    expect(error.message).toBe(
      'MailContact.json, $[1].EmailAddresses: the value is only the type name "System.Collections.ArrayList", so the export lost the values. ' +
        'Export again with a larger ConvertTo-Json -Depth, e.g. ConvertTo-Json -Depth 5.',
    );
  });

  it('names the JSONPath of a missing Guid', async () => {
    const rows = [contact(0), contact(1), contact(2), { Name: 'no key', RecipientTypeDetails: 'MailContact' }];
    const error = await readJsonError(JSON.stringify(rows));

    expect(error.location).toBe('MailContact.json, $[3]');
    expect(error.field).toBe('Guid');
    expect(error.message).toBe('MailContact.json, $[3].Guid: the Guid is missing or empty, but every row needs one as its key. Include Guid in the export.');
  });

  it('rejects a truncated file', async () => {
    const text = JSON.stringify([contact(0), contact(1), contact(2)], null, 4);
    const error = await readJsonError(text.slice(0, text.length - 40));

    expect(error.location).toBe('MailContact.json, $[2]');
    expect(error.message).toBe(
      'MailContact.json, $[2]: the JSON ends in the middle of this element, so the file is truncated. Export it again and check that the export finished.',
    );
  });

  it('rejects a file cut after a complete element', async () => {
    const text = JSON.stringify([contact(0), contact(1), contact(2)], null, 4);
    const cut = text.slice(0, text.indexOf('},', text.indexOf(guid(1))) + 2);
    const error = await readJsonError(cut);

    expect(error.message).toContain('the file is truncated');
  });

  it('rejects a single object without its closing brace', async () => {
    const text = JSON.stringify(contact(0), null, 4);
    const error = await readJsonError(text.slice(0, text.lastIndexOf('}')));

    expect(error.message).toContain('the file is truncated');
  });

  it('names line and column of a syntax error', async () => {
    const text = '[\r\n    {\r\n        "Guid":  "' + guid(0) + '"\r\n    },\r\n    {\r\n        "Guid"  "' + guid(1) + '"\r\n    }\r\n]';
    const error = await readJsonError(text);

    expect(error.location).toBe('MailContact.json, $[1]');
    expect(error.message).toBe(`MailContact.json, $[1]: invalid JSON at line 6, column 17: unexpected string "${guid(1)}". Fix the file or export it again with ConvertTo-Json.`);
  });

  it('names the character of a tokenizer error', async () => {
    const error = await readJsonError('[\n  {"Guid": "' + guid(0) + '", "Name": Kim}\n]');

    expect(error.message).toBe('MailContact.json, $[0]: invalid JSON at line 2, column 60: unexpected character "K". Fix the file or export it again with ConvertTo-Json.');
  });

  it('rejects data after the root value', async () => {
    const error = await readJsonError(JSON.stringify([contact(0)]) + '\r\n[]');

    expect(error.message).toMatch(/^MailContact\.json, \$\[1\]: invalid JSON at line 2, column 1: unexpected character "\["/);
  });

  it('rejects an element that is not an object', async () => {
    const error = await readJsonError(JSON.stringify([contact(0), 'kim@contoso.com']));

    expect(error.location).toBe('MailContact.json, $[1]');
    expect(error.message).toContain('the element is a string, but each element must be an object');
  });

  it('rejects a file that is not JSON', async () => {
    const error = await readJsonError('Guid,Name\r\n');

    expect(error.message).toBe('MailContact.json: the file starts with "Guid,Name\r\n" instead of "[" or "{", so it is not ConvertTo-Json output. Fix the file or export it again with ConvertTo-Json.');
  });
});
