import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exchangeOnlineTableSpecs, openSnapshot, type SnapshotTableSpec } from '../../src/snapshot/index.js';
import { csv, folderWith, open, readAll, snapshotError } from './helpers.js';

const contact = { Guid: '9a7b6c5d-4e3f-4a2b-8c1d-0e9f8a7b6c01', DisplayName: 'Kim Akers', RecipientTypeDetails: 'MailContact' };
const mailUser = { Guid: '3f2a1c4e-8b6d-4e2f-9a1b-5c7d8e9f0a11', DisplayName: 'Megan Bowen', RecipientTypeDetails: 'MailUser' };

describe('table recognition', () => {
  it('takes the table from a table name', async () => {
    const folder = await folderWith({
      'mailcontact.JSON': JSON.stringify([contact]),
      'MailUser.csv': csv([['Guid', 'RecipientTypeDetails'], [mailUser.Guid, 'MailUser']]),
    });
    const tables = await open([folder]);

    expect(tables.map((table) => table.table)).toEqual(['MailUser', 'MailContact']);
  });

  it('takes the table from RecipientTypeDetails', async () => {
    const folder = await folderWith({
      'export-1.json': JSON.stringify([{ ...mailUser, RecipientTypeDetails: 'GuestMailUser' }]),
      'export-2.csv': csv([['Guid', 'RecipientTypeDetails'], ['0f1e2d3c-4b5a-4968-8776-a5b4c3d2e101', 'RoomList']]),
    });
    const tables = await open([folder]);

    expect(tables.map((table) => table.table)).toEqual(['MailUser', 'DistributionGroup']);
  });

  it('takes member rows from a GroupGuid column', async () => {
    const header = csv([['GroupGuid', 'Guid', 'RecipientTypeDetails']]);
    const withRow = header + csv([['0f1e2d3c-4b5a-4968-8776-a5b4c3d2e101', mailUser.Guid, 'MailUser']]);
    const jsonRows = JSON.stringify([{ GroupGuid: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e101', ...contact }]);

    const variants: Array<Record<string, string>> = [{ 'members.csv': withRow }, { 'members.csv': header }, { 'members.json': jsonRows }];
    for (const files of variants) {
      const tables = await open([await folderWith(files)]);
      expect(tables.map((table) => table.table)).toEqual(['DistributionGroupMember']);
    }
  });

  it('reads a custom table by its name', async () => {
    const tables: SnapshotTableSpec[] = [...exchangeOnlineTableSpecs, { name: 'SharedMailboxAlias', kind: 'OBJECT' }];
    const folder = await folderWith({ 'SharedMailboxAlias.csv': csv([['Guid', 'Alias'], [contact.Guid, 'reception']]) });
    const [table] = await openSnapshot([folder], { tables });
    const records = await readAll(table!);

    expect(table!.table).toBe('SharedMailboxAlias');
    expect(records[0]!.displayName).toBe('reception');
  });

  it('covers a table with an empty file', async () => {
    const folder = await folderWith({
      'MailUser.json': '',
      'MailContact.json': '[]\r\n',
      'DistributionGroup.csv': csv([['Guid', 'Name', 'RecipientTypeDetails']]),
      'DistributionGroupMember.csv': '\r\n',
    });
    const tables = await open([folder]);

    expect(tables.map((table) => table.table)).toEqual(['MailUser', 'MailContact', 'DistributionGroup', 'DistributionGroupMember']);
    for (const table of tables) expect(await readAll(table)).toEqual([]);
  });

  it('rejects an empty file with no table name', async () => {
    for (const content of ['', '[]', csv([['Guid', 'Name']])]) {
      const error = await snapshotError(open([await folderWith({ 'export.csv': content })]));
      expect(error.message).toMatch(/^export\.csv: the file is empty and its name is not a table name/);
      expect(error.message).toContain('Name the file after its table');
    }
  });

  it('rejects two files for one table', async () => {
    const folder = await folderWith({ 'MailContact.json': JSON.stringify([contact]), 'contacts.csv': csv([['Guid', 'RecipientTypeDetails'], [contact.Guid, 'MailContact']]) });
    const error = await snapshotError(open([folder]));

    expect(error.file).toBe(join(folder, 'contacts.csv'));
    expect(error.message).toBe('contacts.csv: the file contains table MailContact, and so does MailContact.json. Keep one file per table in a snapshot.');
  });

  it('rejects an unknown RecipientTypeDetails', async () => {
    const error = await snapshotError(open([await folderWith({ 'mailboxes.json': JSON.stringify([{ ...mailUser, RecipientTypeDetails: 'UserMailbox' }]) })]));

    expect(error.location).toBe('mailboxes.json, $[0]');
    expect(error.field).toBe('RecipientTypeDetails');
    expect(error.message).toContain('"UserMailbox" belongs to no table');
  });

  it('rejects a first row without RecipientTypeDetails', async () => {
    const error = await snapshotError(open([await folderWith({ 'export.csv': csv([['Guid', 'Name'], [contact.Guid, 'Kim']]) })]));

    expect(error.message).toMatch(/^export\.csv, row 2, column RecipientTypeDetails: the first row has no RecipientTypeDetails/);
  });

  it('rejects a row of another table', async () => {
    const folder = await folderWith({ 'MailUser.json': JSON.stringify([mailUser, contact]) });
    const [table] = await open([folder]);
    const error = await snapshotError(readAll(table!));

    expect(error.message).toBe(
      "MailUser.json, $[1].RecipientTypeDetails: the row is a MailContact, which belongs in table MailContact, not MailUser. Export each cmdlet's output to its own file.",
    );
  });

  it('takes folders without recursion', async () => {
    const folder = await folderWith({ 'MailUser.json': '[]', 'readme.txt': 'not a snapshot', '._MailContact.csv': 'resource fork' });
    await mkdir(join(folder, 'old'));
    await writeFile(join(folder, 'old', 'MailContact.json'), JSON.stringify([contact]));
    const tables = await open([folder]);

    expect(tables.map((table) => table.table)).toEqual(['MailUser']);
  });

  it('rejects missing paths and other file types', async () => {
    const folder = await folderWith({ 'MailUser.xml': '<Objs />' });

    expect((await snapshotError(open([join(folder, 'nothing')]))).message).toBe('nothing: the file or folder does not exist. Check the path.');
    expect((await snapshotError(open([join(folder, 'MailUser.xml')]))).message).toBe(
      'MailUser.xml: the file type ".xml" is not supported. Export the snapshot as .json or .csv.',
    );
    expect((await snapshotError(open([folder]))).message).toMatch(/the folder contains no \.json or \.csv file/);
  });

  it('peeks only at the beginning of a file', async () => {
    const rows = Array.from({ length: 20_000 }, (_, index) => ({ ...mailUser, Guid: `3f2a1c4e-8b6d-4e2f-9a1b-${index.toString(16).padStart(12, '0')}` }));
    const json = JSON.stringify(rows).slice(0, -1) + ',{"Guid": }]';
    const text = csv([['Guid', 'RecipientTypeDetails'], ...rows.map((row) => [row.Guid, 'MailUser'])]) + '"not-a-guid","MailUser"\r\n';
    const folder = await folderWith({ 'users.json': json, 'MailContact.csv': text.replaceAll('MailUser', 'MailContact') });

    const tables = await open([folder]);
    expect(tables.map((table) => table.table)).toEqual(['MailUser', 'MailContact']);

    const jsonError = await snapshotError(readAll(tables[0]!));
    expect(jsonError.location).toBe('users.json, $[20000]');
    const csvError = await snapshotError(readAll(tables[1]!));
    expect(csvError.location).toBe('MailContact.csv, row 20002');
  });

  it('reads records again on a second iteration', async () => {
    const [table] = await open([await folderWith({ 'MailContact.json': JSON.stringify([contact]) })]);

    expect(await readAll(table!)).toHaveLength(1);
    expect(await readAll(table!)).toHaveLength(1);
  });
});
