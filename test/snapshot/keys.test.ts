import { describe, expect, it } from 'vitest';
import { csv, folderWith, open, readAll, readSingle, snapshotError } from './helpers.js';

const group = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e101';
const member = '3f2a1c4e-8b6d-4e2f-9a1b-5c7d8e9f0a11';

/** Returns the error of reading the files, whether openSnapshot finds it while peeking or the records do. */
async function readError(files: Record<string, string>) {
  const folder = await folderWith(files);
  return snapshotError(open([folder]).then(async (tables) => readAll(tables[0]!)));
}

describe('snapshot keys', () => {
  it('normalizes every GUID form', async () => {
    const forms = [
      '3F2A1C4E-8B6D-4E2F-9A1B-5C7D8E9F0A11',
      '{3f2a1c4e-8b6d-4e2f-9a1b-5c7d8e9f0a12}',
      '(3f2a1c4e-8b6d-4e2f-9a1b-5c7d8e9f0a13)',
      '3f2a1c4e8b6d4e2f9a1b5c7d8e9f0a14',
      ' 3f2a1c4e-8b6d-4e2f-9a1b-5c7d8e9f0a15 ',
    ];
    const records = await readSingle({ 'MailUser.csv': csv([['Guid'], ...forms.map((form) => [form])]) });

    expect(records.map((record) => record.key)).toEqual([1, 2, 3, 4, 5].map((n) => `3f2a1c4e-8b6d-4e2f-9a1b-5c7d8e9f0a1${n}`));
    expect(records.map((record) => record.displayName)).toEqual(records.map((record) => record.key));
  });

  it('rejects a missing or empty Guid', async () => {
    const empty = await readError({ 'MailUser.csv': csv([['Guid', 'Name'], [member, 'MeganB'], ['', 'AdeleV']]) });
    expect(empty.location).toBe('MailUser.csv, row 3');
    expect(empty.field).toBe('Guid');
    expect(empty.message).toBe('MailUser.csv, row 3, column Guid: the Guid is missing or empty, but every row needs one as its key. Include Guid in the export.');

    const missing = await readError({ 'MailUser.json': JSON.stringify([{ Guid: member }, { Guid: null, Name: 'AdeleV' }]) });
    expect(missing.message).toMatch(/^MailUser\.json, \$\[1\]\.Guid: the Guid is missing or empty/);
  });

  it('rejects a Guid that is not a GUID', async () => {
    for (const value of ['MeganB', '3f2a1c4e-8b6d-4e2f-9a1b-5c7d8e9f0a1', '{3f2a1c4e-8b6d-4e2f-9a1b-5c7d8e9f0a11', '3f2a1c4e-8b6d-4e2f-9a1b5c7d8e9f0a11']) {
      const error = await readError({ 'MailUser.csv': csv([['Guid'], [value]]) });
      expect(error.message).toBe(
        `MailUser.csv, row 2, column Guid: the Guid "${value}" is not a GUID. Export Guid as it is, e.g. "6d1b2a2e-8c1f-4a57-9f0e-3c2a1b0d4e5f".`,
      );
    }
    const numeric = await readError({ 'MailUser.json': JSON.stringify([{ Guid: 42 }]) });
    expect(numeric.message).toMatch(/^MailUser\.json, \$\[0\]\.Guid: the Guid is 42, not a string/);
  });

  it('requires GroupGuid and Guid on member rows', async () => {
    const noGroup = await readError({ 'DistributionGroupMember.json': JSON.stringify([{ GroupGuid: group, Guid: member }, { Guid: member }]) });
    expect(noGroup.location).toBe('DistributionGroupMember.json, $[1]');
    expect(noGroup.field).toBe('GroupGuid');

    const noMember = await readError({ 'DistributionGroupMember.csv': csv([['GroupGuid', 'Guid'], [group, '']]) });
    expect(noMember.message).toMatch(/^DistributionGroupMember\.csv, row 2, column Guid: the Guid is missing or empty/);
  });

  it('rejects duplicate keys', async () => {
    const other = '9a7b6c5d-4e3f-4a2b-8c1d-0e9f8a7b6c01';
    const error = await readError({ 'MailUser.csv': csv([['Guid'], [member], [other], [member.toUpperCase()]]) });

    expect(error.location).toBe('MailUser.csv, row 4');
    expect(error.message).toBe(
      `MailUser.csv, row 4: the key ${member} occurs twice in table MailUser: in MailUser.csv, row 2 and here. Remove the duplicate row or export the table again.`,
    );

    const json = await readError({ 'MailUser.json': JSON.stringify([{ Guid: member }, { Guid: other }, { Guid: `{${member}}` }]) });
    expect(json.message).toMatch(/^MailUser\.json, \$\[2\]: the key .* occurs twice in table MailUser: in MailUser\.json, \$\[0\] and here/);
  });

  it('keys member rows by group and member', async () => {
    const other = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e102';
    const records = await readSingle({ 'DistributionGroupMember.csv': csv([['GroupGuid', 'Guid'], [group, member], [other, member]]) });
    expect(records.map((record) => record.key)).toEqual([`${group}:${member}`, `${other}:${member}`]);

    const error = await readError({ 'DistributionGroupMember.csv': csv([['GroupGuid', 'Guid'], [group, member], [group.toUpperCase(), member]]) });
    expect(error.message).toMatch(/^DistributionGroupMember\.csv, row 3: the key .* occurs twice in table DistributionGroupMember: in DistributionGroupMember\.csv, row 2 and here/);
  });
});
