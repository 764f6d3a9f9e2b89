import { describe, expect, it } from 'vitest';
import { csv, folderWith, open, readAll, readSingle, snapshotError } from './helpers.js';

const guid = '9a7b6c5d-4e3f-4a2b-8c1d-0e9f8a7b6c01';

/** Returns the error of reading a MailContact.csv, whether openSnapshot finds it while peeking or the records do. */
async function readCsvError(text: string) {
  const folder = await folderWith({ 'MailContact.csv': text });
  return snapshotError(open([folder]).then(async (tables) => readAll(tables[0]!)));
}

describe('CSV snapshot files', () => {
  it('skips the #TYPE line', async () => {
    const text = '#TYPE Deserialized.Microsoft.Exchange.Data.Directory.Management.MailContact\r\n' + csv([['Guid', 'Name'], [guid, 'Kim Akers']]);
    const [record] = await readSingle({ 'MailContact.csv': text });

    expect(record!.location).toBe('MailContact.csv, row 3');
    expect(record!.properties).toEqual({ Guid: guid, Name: 'Kim Akers' });
  });

  it('detects semicolons from the header row', async () => {
    const text = '"Guid";"Name";"EmailAddresses"\r\n' + `"${guid}";"Akers, Kim";"SMTP:kim@contoso.com;smtp:ka@contoso.com"\r\n`;
    const [record] = await readSingle({ 'MailContact.csv': text });

    expect(record!.properties).toEqual({ Guid: guid, Name: 'Akers, Kim', EmailAddresses: ['SMTP:kim@contoso.com', 'smtp:ka@contoso.com'] });
  });

  it('reads unquoted cells and LF line ends', async () => {
    const [record] = await readSingle({ 'MailContact.csv': `Guid,Name,Company\n${guid},Kim Akers,Contoso\n` });

    expect(record!.properties).toEqual({ Guid: guid, Name: 'Kim Akers', Company: 'Contoso' });
  });

  it('splits multi-valued properties', async () => {
    const text = csv([
      ['Guid', 'EmailAddresses', 'GrantSendOnBehalfTo', 'ManagedBy', 'AcceptMessagesOnlyFrom', 'ModeratedBy', 'Comment'],
      [guid, 'SMTP:a@contoso.com;smtp:b@adatum.com', 'MeganB', 'MeganB;AdeleV', '', 'LeeG', 'one;two'],
    ]);
    const [record] = await readSingle({ 'MailContact.csv': text });

    expect(record!.properties).toEqual({
      Guid: guid,
      EmailAddresses: ['SMTP:a@contoso.com', 'smtp:b@adatum.com'],
      GrantSendOnBehalfTo: ['MeganB'],
      ManagedBy: ['MeganB', 'AdeleV'],
      AcceptMessagesOnlyFrom: [],
      ModeratedBy: ['LeeG'],
      Comment: 'one;two',
    });
  });

  it('converts only known booleans', async () => {
    const text = csv([
      ['Guid', 'HiddenFromAddressListsEnabled', 'RequireSenderAuthenticationEnabled', 'ModerationEnabled', 'CustomFlag', 'Office'],
      [guid, 'True', 'false', '', 'True', ''],
    ]);
    const [record] = await readSingle({ 'MailContact.csv': text });

    expect(record!.properties).toEqual({
      Guid: guid,
      HiddenFromAddressListsEnabled: true,
      RequireSenderAuthenticationEnabled: false,
      ModerationEnabled: null,
      CustomFlag: 'True',
      Office: null,
    });
  });

  it('rejects an invalid boolean', async () => {
    const error = await readCsvError(csv([['Guid', 'HiddenFromAddressListsEnabled'], [guid, 'Yes']]));

    expect(error.field).toBe('HiddenFromAddressListsEnabled');
    expect(error.message).toBe('MailContact.csv, row 2, column HiddenFromAddressListsEnabled: the value "Yes" is not a boolean. Expected True or False.');
  });

  it('rejects type names in place of values', async () => {
    const cases = [
      ['EmailAddresses', 'System.Object[]'],
      ['ManagedBy', 'System.Collections.ArrayList'],
      ['EmailAddresses', 'Microsoft.Exchange.Data.MultiValuedProperty`1[Microsoft.Exchange.Data.ProxyAddress]'],
      ['UnknownCollection', 'System.Collections.Generic.List`1[System.String]'],
      ['Extensions', 'Deserialized.Microsoft.Exchange.Data.MultiValuedProperty`1[System.String]'],
    ];
    for (const [field, value] of cases) {
      const error = await readCsvError(csv([['Guid', 'Name', field!], [guid, 'Kim', value!]]));
      expect(error.location).toBe('MailContact.csv, row 2');
      expect(error.field).toBe(field);
      expect(error.message).toBe(
        `MailContact.csv, row 2, column ${field}: the value is only the type name "${value}", so the export lost the values. ` +
          `Join the property in the export with a calculated property in Select-Object, e.g. @{n='${field}';e={$_.${field} -join ';'}}.`,
      );
    }
  });

  it('keeps a single-valued type name', async () => {
    const [record] = await readSingle({ 'MailContact.csv': csv([['Guid', 'OrganizationalUnit'], [guid, 'Microsoft.Exchange.Data.Directory']]) });

    expect(record!.properties.OrganizationalUnit).toBe('Microsoft.Exchange.Data.Directory');
  });

  it('rejects a header without a required column', async () => {
    const folder = await folderWith({ 'MailContact.csv': csv([['Name', 'Alias'], ['Kim Akers', 'kim']]) });
    const error = await snapshotError(open([folder]));

    expect(error.field).toBe('Guid');
    expect(error.message).toBe(
      'MailContact.csv, row 1, column Guid: the header row has no column Guid, which every MailContact row needs. Include Guid in the export (Select-Object Guid, ...).',
    );

    const members = await folderWith({ 'DistributionGroupMember.csv': csv([['Guid', 'Name'], [guid, 'Kim']]) });
    expect((await snapshotError(open([members]))).field).toBe('GroupGuid');
  });

  it('rejects a header with a repeated column', async () => {
    const error = await snapshotError(open([await folderWith({ 'MailContact.csv': csv([['Guid', 'Name', 'name'], [guid, 'a', 'b']]) })]));

    expect(error.message).toBe('MailContact.csv, row 1, column name: the header row names the column "name" twice. Remove one of them.');
  });

  it('rejects a row with too many cells', async () => {
    const error = await readCsvError(csv([['Guid', 'Name'], [guid, 'Kim'], [guid, 'Kim', 'Akers']]));

    expect(error.location).toBe('MailContact.csv, row 3');
    expect(error.message).toBe(
      'MailContact.csv, row 3: the row has 3 cells but the header row has 2 columns (line 3). Quote cells that contain the delimiter ",", or export the file again with Export-Csv.',
    );

    const semicolons = await readCsvError('"Guid";"Name"\r\n' + `"${guid}";"Kim";"Akers"\r\n`);
    expect(semicolons.message).toBe(
      'MailContact.csv, row 2: the row has 3 cells but the header row has 2 columns (line 2). Quote cells that contain the delimiter ";", or export the file again with Export-Csv.',
    );
  });

  it('rejects an unclosed quote', async () => {
    const error = await readCsvError(csv([['Guid', 'Name'], [guid, 'Kim']]) + `"${guid}","Ben\r\n`);

    expect(error.location).toBe('MailContact.csv, row 3');
    expect(error.message).toContain('a quoted cell that starts in this row is never closed');
  });

  it('rejects an undoubled quote', async () => {
    const error = await readCsvError(csv([['Guid', 'Name'], [guid, 'Kim']]) + `"${guid}","Ben "Benjamin" Smith"\r\n`);

    expect(error.location).toBe('MailContact.csv, row 3');
    expect(error.message).toContain('a cell contains a quote that is not doubled (line 3)');
  });
});
