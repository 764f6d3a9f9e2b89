import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exchangeOnlineTableSpecs } from '../../src/snapshot/index.js';
import { fixtures, open, readAll } from './helpers.js';

describe('snapshot fixtures', () => {
  it('reads a folder of all four tables', async () => {
    const tables = await open([join(fixtures, 'basic')], { culture: 'en-US' });

    expect(tables.map((table) => table.table)).toEqual(['MailUser', 'MailContact', 'DistributionGroup', 'DistributionGroupMember']);
    expect(tables.map((table) => table.file)).toEqual([
      join(fixtures, 'basic', 'MailUser.json'),
      join(fixtures, 'basic', 'MailContact.csv'),
      join(fixtures, 'basic', 'DistributionGroup.json'),
      join(fixtures, 'basic', 'DistributionGroupMember.csv'),
    ]);
  });

  it('reads ConvertTo-Json mail users', async () => {
    const [mailUsers] = await open([join(fixtures, 'basic', 'MailUser.json')]);
    const records = await readAll(mailUsers!);

    expect(records.map((record) => record.key)).toEqual([
      '3f2a1c4e-8b6d-4e2f-9a1b-5c7d8e9f0a11',
      '5b8e2d71-0c3a-4f69-8e14-2a9d7c6b3f02',
      'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e53',
    ]);
    expect(records.map((record) => record.displayName)).toEqual(['Megan Bowen', 'alex.wilber_adatum.com#EXT#', 'pilar.ackerman']);
    expect(records.map((record) => record.location)).toEqual(['MailUser.json, $[0]', 'MailUser.json, $[1]', 'MailUser.json, $[2]']);

    const megan = records[0]!.properties;
    expect(megan.EmailAddresses).toEqual(['SMTP:MeganB@M365x214355.onmicrosoft.com', 'smtp:megan.bowen@contoso.com']);
    expect(megan.WhenChanged).toBe('2026-11-04T10:15:00.000Z');
    expect(megan.WhenCreated).toBe('2024-11-04T08:55:00.000Z');
    expect(megan.WhenChangedUTC).toBe('2026-11-04T10:15:00.123Z');
    expect(megan.HiddenFromAddressListsEnabled).toBe(false);
    expect(megan.ExtendedProperties).toEqual({ CostCenter: '4711', Source: 'HR' });
    expect(megan.CustomAttribute1).toBeNull();
    expect(megan.ExchangeGuid).toBe('00000000-0000-0000-0000-000000000000');

    const alex = records[1]!.properties;
    expect(alex.Guid).toBe('5B8E2D71-0C3A-4F69-8E14-2A9D7C6B3F02');
    expect(alex.WhenChanged).toBe('2026-11-04T10:15:00.000Z');
    expect(alex.WhenCreated).toBe('2026-01-15T08:00:00.000Z');
    expect(records[2]!.properties.EmailAddresses).toEqual([]);
    expect(records[2]!.properties.WhenChanged).toBeNull();
  });

  it('reads en-US Export-Csv contacts', async () => {
    const tables = await open([join(fixtures, 'basic', 'MailContact.csv')], { culture: 'en-US' });
    const records = await readAll(tables[0]!);

    expect(records.map((record) => record.location)).toEqual(['MailContact.csv, row 3', 'MailContact.csv, row 4', 'MailContact.csv, row 5']);
    const [kim, ben, pilar] = records.map((record) => record.properties);
    expect(records[0]!.displayName).toBe('Akers, Kim');
    expect(kim!.EmailAddresses).toEqual(['SMTP:kim.akers@contoso.com', 'smtp:kakers@contoso.com']);
    expect(kim!.Notes).toBe('Prefers "Kim", not "Kimberly"');
    expect(kim!.HiddenFromAddressListsEnabled).toBe(false);
    expect(kim!.WhenChanged).toBe('2026-11-04T10:15:00.000Z');
    expect(kim!.WhenCreated).toBe('2026-01-15T15:30:00.000Z');
    expect(kim!.CustomAttribute1).toBeNull();
    expect(ben!.Notes).toBe('Line one\r\nLine two');
    expect(ben!.HiddenFromAddressListsEnabled).toBe(true);
    expect(ben!.WhenChanged).toBe('2026-11-04T22:16:00.000Z');
    expect(ben!.WhenCreated).toBe('2026-02-28T00:05:00.000Z');
    expect(pilar!.EmailAddresses).toEqual([]);
    expect(pilar!.HiddenFromAddressListsEnabled).toBeNull();
    expect(pilar!.WhenChanged).toBeNull();
  });

  it('reads member rows with group and member keys', async () => {
    const tables = await open([join(fixtures, 'basic', 'DistributionGroupMember.csv')]);
    const records = await readAll(tables[0]!);

    expect(records).toHaveLength(3);
    expect(records[2]).toMatchObject({
      key: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e101:7e6d5c4b-3a29-4187-9f6e-5d4c3b2a1901',
      groupKey: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e101',
      memberKey: '7e6d5c4b-3a29-4187-9f6e-5d4c3b2a1901',
      displayName: 'Adele Vance',
      location: 'DistributionGroupMember.csv, row 4',
    });
  });

  it('reads a de-DE semicolon export with BOM', async () => {
    const tables = await open([join(fixtures, 'de-DE')], { culture: 'de-DE' });
    const records = await readAll(tables[0]!);

    expect(tables[0]!.table).toBe('DistributionGroup');
    expect(records[0]!.displayName).toBe('Vertrieb München');
    expect(records[0]!.properties.EmailAddresses).toEqual(['SMTP:vertrieb@contoso.com', 'smtp:sales-muc@contoso.com']);
    expect(records[0]!.properties.ManagedBy).toEqual(['MeganB', 'AdeleV']);
    expect(records[0]!.properties.WhenChanged).toBe('2026-11-04T10:15:00.000Z');
    expect(records[0]!.properties.WhenCreated).toBe('2026-01-23T08:05:09.000Z');
    expect(records[1]!.properties.Name).toBe('Geschäftsleitung; Büro');
    expect(records[1]!.properties.ManagedBy).toEqual([]);
    expect(records[1]!.properties.WhenChanged).toBe('2026-12-31T23:59:59.000Z');
  });

  it('recognises unnamed files from their content', async () => {
    const tables = await open([join(fixtures, 'unnamed')]);

    expect(tables.map((table) => [table.table, table.file])).toEqual([
      ['MailContact', join(fixtures, 'unnamed', 'contoso-contact-export.json')],
      ['DistributionGroupMember', join(fixtures, 'unnamed', 'members-2026-11-04.csv')],
    ]);
    const [lee] = await readAll(tables[0]!);
    expect(lee).toMatchObject({ key: '6d1b2a2e-8c1f-4a57-9f0e-3c2a1b0d4e5f', location: 'contoso-contact-export.json, $' });
  });

  it('exports the built-in table specs', () => {
    expect(exchangeOnlineTableSpecs).toEqual([
      { name: 'MailUser', kind: 'OBJECT', recipientTypeDetails: ['MailUser', 'GuestMailUser'] },
      { name: 'MailContact', kind: 'OBJECT', recipientTypeDetails: ['MailContact'] },
      { name: 'DistributionGroup', kind: 'OBJECT', recipientTypeDetails: ['MailUniversalDistributionGroup', 'MailUniversalSecurityGroup', 'RoomList'] },
      { name: 'DistributionGroupMember', kind: 'ASSIGNMENT' },
    ]);
    expect(Object.isFrozen(exchangeOnlineTableSpecs[0])).toBe(true);
  });
});
