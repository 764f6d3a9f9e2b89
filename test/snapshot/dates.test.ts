import { describe, expect, it } from 'vitest';
import { parseSnapshotDate, resolveDateCulture } from '../../src/snapshot/dates.js';
import { InvalidValueError } from '../../src/snapshot/errors.js';
import { csv, folderWith, open, readAll, snapshotError } from './helpers.js';

const guid = '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e01';

function parse(text: string, tag?: string): string {
  return parseSnapshotDate(text, tag === undefined ? undefined : resolveDateCulture(tag));
}

function parseError(text: string, tag?: string): string {
  try {
    parse(text, tag);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidValueError);
    return (error as Error).message;
  }
  throw new Error(`expected "${text}" to be rejected`);
}

describe('snapshot dates', () => {
  it('reads /Date()/ with and without offset', () => {
    expect(parse('/Date(1730710500000)/')).toBe('2024-11-04T08:55:00.000Z');
    expect(parse('/Date(1730710500000+0100)/')).toBe('2024-11-04T08:55:00.000Z');
    expect(parse('/Date(1730710500000-0500)/')).toBe('2024-11-04T08:55:00.000Z');
    expect(parse('/Date(-62135596800000)/')).toBe('0001-01-01T00:00:00.000Z');
  });

  it('reads ISO-8601 and takes no zone as UTC', () => {
    expect(parse('2026-11-04T10:15:00Z')).toBe('2026-11-04T10:15:00.000Z');
    expect(parse('2026-11-04T10:15:00')).toBe('2026-11-04T10:15:00.000Z');
    expect(parse('2026-11-04T11:15:00.1234567+01:00')).toBe('2026-11-04T10:15:00.123Z');
    expect(parse('2026-11-04T05:15:00-0500')).toBe('2026-11-04T10:15:00.000Z');
    expect(parse('2026-11-04 10:15:00')).toBe('2026-11-04T10:15:00.000Z');
    expect(parse('2026-11-04')).toBe('2026-11-04T00:00:00.000Z');
  });

  it('reads culture dates', () => {
    const cases: Array<[string, string, string]> = [
      ['de-DE', '04.11.2026 10:15:00', '2026-11-04T10:15:00.000Z'],
      ['de-DE', '4.11.2026 22:15', '2026-11-04T22:15:00.000Z'],
      ['en-US', '11/4/2026 10:15:00 AM', '2026-11-04T10:15:00.000Z'],
      ['en-US', '11/4/2026 10:15:00 PM', '2026-11-04T22:15:00.000Z'],
      ['en-US', '11/4/2026 12:05:00 AM', '2026-11-04T00:05:00.000Z'],
      ['en-US', '11/4/2026 12:30:00 PM', '2026-11-04T12:30:00.000Z'],
      ['en-US', '1/1/0001 12:00:00 AM', '0001-01-01T00:00:00.000Z'],
      ['en-GB', '04/11/2026 10:15:00', '2026-11-04T10:15:00.000Z'],
      ['fr-FR', '23/11/2026 10:15:00', '2026-11-23T10:15:00.000Z'],
      ['nl-NL', '4-11-2026 10:15:00', '2026-11-04T10:15:00.000Z'],
      ['ja-JP', '2026/11/04 10:15:00', '2026-11-04T10:15:00.000Z'],
      ['zh-CN', '2026/11/4 下午10:15:00', '2026-11-04T22:15:00.000Z'],
      ['hu-HU', '2026. 11. 04. 10:15:00', '2026-11-04T10:15:00.000Z'],
      ['fi-FI', '4.11.2026 10.15.00', '2026-11-04T10:15:00.000Z'],
    ];
    for (const [tag, text, expected] of cases) expect(parse(text, tag), `${tag} ${text}`).toBe(expected);
  });

  it('rejects a culture date without a culture', () => {
    expect(parseError('04.11.2026 10:15:00')).toBe(
      'the date "04.11.2026 10:15:00" is not ISO-8601 and no culture was given to read it. Pass the culture of the machine that exported the file, ' +
        'e.g. --culture de-DE on the command line or culture: "de-DE" in the synchronize mutation, or export dates as ISO-8601.',
    );
    // Day 23 leaves only one reading, but the reader never guesses.
    expect(parseError('23/11/2026 10:15:00')).toMatch(/no culture was given/);
  });

  it('rejects dates outside the culture', () => {
    expect(parseError('11/23/2026 10:15:00 AM', 'en-GB')).toBe('the date "11/23/2026 10:15:00 AM" does not exist (month 23, day 11, time 10:15:00).');
    expect(parseError('31.02.2026 10:15:00', 'de-DE')).toMatch(/does not exist \(month 2, day 31/);
    expect(parseError('29.02.2026', 'de-DE')).toMatch(/does not exist/);
    expect(parse('29.02.2028', 'de-DE')).toBe('2028-02-29T00:00:00.000Z');
    expect(parseError('04.11.26 10:15', 'de-DE')).toMatch(/two-digit year, which is ambiguous/);
    expect(parseError('4 Nov 2026', 'en-US')).toBe(
      'the date "4 Nov 2026" does not match culture en-US, which writes dates like "11/23/2026, 10:15:00 PM". ' +
        'Pass the culture of the machine that exported the file (--culture on the command line, culture in the synchronize mutation), or export dates as ISO-8601.',
    );
    expect(parseError('11/4/2026 13:15:00 PM', 'en-US')).toMatch(/hour 13 with an AM\/PM designator/);
    expect(parseError('22/05/1448 10:15:00', 'en-GB')).toMatch(/year 1448, so the exporting machine probably used a non-Gregorian calendar/);
  });

  it('rejects malformed and unsupported cultures', () => {
    expect(() => resolveDateCulture('en_US')).toThrow('Invalid culture "en_US": it is not a BCP 47 language tag. Use a tag such as de-DE, en-US or en-GB.');
    expect(() => resolveDateCulture('th-TH')).toThrow(/Unsupported culture "th-TH": it uses the buddhist calendar/);
  });

  it('reads CSV dates through openSnapshot', async () => {
    const folder = await folderWith({ 'DistributionGroup.csv': csv([['Guid', 'WhenChanged', 'ExpiryDate'], [guid, '04.11.2026 10:15:00', '31.12.2027 00:00:00']]) });
    const [table] = await open([folder], { culture: 'de-DE' });
    const [record] = await readAll(table!);

    expect(record!.properties).toEqual({ Guid: guid, WhenChanged: '2026-11-04T10:15:00.000Z', ExpiryDate: '2027-12-31T00:00:00.000Z' });
  });

  it('names the place of a date error', async () => {
    const folder = await folderWith({ 'DistributionGroup.csv': csv([['Guid', 'WhenChanged'], [guid, '04.11.2026 10:15:00']]) });
    const error = await snapshotError(open([folder]).then(async (tables) => readAll(tables[0]!)));

    expect(error.location).toBe('DistributionGroup.csv, row 2');
    expect(error.field).toBe('WhenChanged');
    expect(error.message).toMatch(/^DistributionGroup\.csv, row 2, column WhenChanged: the date "04\.11\.2026 10:15:00" is not ISO-8601 and no culture was given/);
  });

  it('rejects a malformed culture in the options', async () => {
    const folder = await folderWith({ 'DistributionGroup.csv': csv([['Guid'], [guid]]) });
    const error = await snapshotError(open([folder], { culture: 'german' }));

    expect(error.file).toBe('');
    expect(error.field).toBe('culture');
    expect(error.message).toBe('Unsupported culture "german": Node.js has no date format for it. Use a tag such as de-DE, en-US or en-GB.');
    expect((await snapshotError(open([folder], { culture: 'de_DE' }))).message).toMatch(/^Invalid culture "de_DE"/);
  });
});
