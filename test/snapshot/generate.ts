import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** Fictitious mail user number `index` of the M365x214355 demo tenant, with about 2 KB of properties. */
export function sampleMailUser(index: number): Record<string, unknown> {
  const hex = index.toString(16).padStart(12, '0');
  const alias = `user${index}`;
  const domains = ['contoso.com', 'adatum.com', 'tailspintoys.com'];
  const properties: Record<string, unknown> = {
    Guid: `3f2a1c4e-8b6d-4e2f-9a1b-${hex}`,
    ExchangeGuid: `00000000-0000-0000-0000-${hex}`,
    ExternalDirectoryObjectId: `48d31887-5fad-4d73-a9f5-${hex}`,
    Name: alias,
    Alias: alias,
    DisplayName: `Sample User ${index}`,
    PrimarySmtpAddress: `${alias}@M365x214355.onmicrosoft.com`,
    ExternalEmailAddress: `SMTP:${alias}@${domains[index % 3]}`,
    RecipientTypeDetails: index % 10 === 0 ? 'GuestMailUser' : 'MailUser',
    EmailAddresses: [`SMTP:${alias}@M365x214355.onmicrosoft.com`, ...domains.map((domain) => `smtp:${alias}@${domain}`)],
    HiddenFromAddressListsEnabled: index % 7 === 0,
    WhenChanged: '2026-11-04T10:15:00Z',
    WhenCreated: '2026-01-15T08:00:00Z',
  };
  for (let n = 1; n <= 15; n += 1) properties[`CustomAttribute${n}`] = `Custom attribute ${n} of ${alias}, department ${index % 40}`;
  properties.Notes = `Imported from the HR system of Contoso Ltd. `.repeat(12) + alias;
  return properties;
}

/** Writes `count` sample mail users as ConvertTo-Json would, and returns the file size in bytes. */
export async function generateJsonFile(path: string, count: number): Promise<number> {
  return writeLines(path, count, (index) => (index === 0 ? '[\r\n' : ',\r\n') + JSON.stringify(sampleMailUser(index), null, 4), ']\r\n');
}

/** Writes `count` sample mail users as Export-Csv -NoTypeInformation would (EmailAddresses joined with ';'), and returns the size. */
export async function generateCsvFile(path: string, count: number): Promise<number> {
  const columns = Object.keys(sampleMailUser(0));
  const quote = (value: unknown) => `"${String(Array.isArray(value) ? value.join(';') : value === true ? 'True' : value === false ? 'False' : value).replaceAll('"', '""')}"`;
  const header = columns.map(quote).join(',');
  return writeLines(path, count, (index) => {
    const user = sampleMailUser(index);
    const row = columns.map((column) => quote(user[column])).join(',');
    return index === 0 ? `${header}\r\n${row}\r\n` : `${row}\r\n`;
  }, '');
}

async function writeLines(path: string, count: number, line: (index: number) => string, trailer: string): Promise<number> {
  const out = createWriteStream(path);
  let size = 0;
  let batch = '';
  for (let index = 0; index < count; index += 1) {
    batch += line(index);
    if (batch.length > 1 << 20 || index === count - 1) {
      if (index === count - 1) batch += trailer;
      size += Buffer.byteLength(batch);
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end();
  await once(out, 'finish');
  return size;
}
