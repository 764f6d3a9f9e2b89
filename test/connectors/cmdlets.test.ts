import { describe, expect, it } from 'vitest';
import { toCmdletInvocation } from '../../src/connectors/exchange-online/cmdlets.ts';
import { ConnectorError, type ProvisioningRequest } from '../../src/connectors/types.ts';

const fixedPassword = { generatePassword: () => 'Generated-Password-1!' };

function request(tableName: string, properties: Record<string, unknown>, extra: Partial<ProvisioningRequest> = {}): ProvisioningRequest {
  return { tableName, objectKey: '5b1f0c2e-8a4d-4c1b-9f1e-0d6a2b3c4d5e', properties, ...extra };
}

function mappingError(run: () => unknown): ConnectorError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    return error as ConnectorError;
  }
  throw new Error('expected a ConnectorError');
}

describe('toCmdletInvocation', () => {
  it('maps MailUser to New-MailUser', () => {
    const invocation = toCmdletInvocation(
      request('MailUser', {
        Name: 'Ada Lovelace',
        DisplayName: 'Ada Lovelace (Guest)',
        Alias: 'ada',
        FirstName: 'Ada',
        LastName: 'Lovelace',
        ExternalEmailAddress: 'SMTP:ada@example.org',
        PrimarySmtpAddress: 'ada@contoso.com',
        RecipientTypeDetails: 'MailUser',
        Guid: '5b1f0c2e-8a4d-4c1b-9f1e-0d6a2b3c4d5e',
      }),
      fixedPassword,
    );

    expect(invocation).toEqual({
      cmdletName: 'New-MailUser',
      parameters: {
        Name: 'Ada Lovelace',
        DisplayName: 'Ada Lovelace (Guest)',
        Alias: 'ada',
        FirstName: 'Ada',
        LastName: 'Lovelace',
        ExternalEmailAddress: 'SMTP:ada@example.org',
        PrimarySmtpAddress: 'ada@contoso.com',
        MicrosoftOnlineServicesID: 'ada@contoso.com',
        Password: 'Generated-Password-1!',
      },
    });
  });

  it('prefers a synchronized sign-in name for MailUser', () => {
    const base = { Name: 'Ada', ExternalEmailAddress: 'ada@example.org', PrimarySmtpAddress: 'ada@contoso.com' };

    const withUpn = toCmdletInvocation(request('MailUser', { ...base, UserPrincipalName: 'ada.upn@contoso.com' }), fixedPassword);
    expect(withUpn.parameters.MicrosoftOnlineServicesID).toBe('ada.upn@contoso.com');

    const withId = toCmdletInvocation(
      request('MailUser', { ...base, UserPrincipalName: 'ada.upn@contoso.com', MicrosoftOnlineServicesID: 'ada.id@contoso.com' }),
      fixedPassword,
    );
    expect(withId.parameters.MicrosoftOnlineServicesID).toBe('ada.id@contoso.com');
  });

  it('generates a different strong password per MailUser', () => {
    const properties = { Name: 'Ada', ExternalEmailAddress: 'ada@example.org', PrimarySmtpAddress: 'ada@contoso.com' };
    const first = String(toCmdletInvocation(request('MailUser', properties)).parameters.Password);
    const second = String(toCmdletInvocation(request('MailUser', properties)).parameters.Password);

    expect(first).toHaveLength(32);
    expect(first).not.toBe(second);
    expect(first).toMatch(/[A-Z]/);
    expect(first).toMatch(/[a-z]/);
    expect(first).toMatch(/[0-9]/);
    expect(first).toMatch(/[^A-Za-z0-9]/);
  });

  it('rejects MailUser without any sign-in name', () => {
    const error = mappingError(() => toCmdletInvocation(request('MailUser', { Name: 'Ada', ExternalEmailAddress: 'ada@example.org' })));
    expect(error.transient).toBe(false);
    expect(error.message).toContain('"MicrosoftOnlineServicesID", "UserPrincipalName", "PrimarySmtpAddress"');
  });

  it('maps MailContact to New-MailContact', () => {
    const invocation = toCmdletInvocation(
      request('MailContact', {
        Name: 'Grace Hopper',
        DisplayName: 'Grace Hopper',
        Alias: 'grace',
        FirstName: 'Grace',
        LastName: 'Hopper',
        ExternalEmailAddress: 'grace@example.org',
        PrimarySmtpAddress: 'grace@example.org',
      }),
    );

    expect(invocation).toEqual({
      cmdletName: 'New-MailContact',
      parameters: {
        Name: 'Grace Hopper',
        DisplayName: 'Grace Hopper',
        Alias: 'grace',
        FirstName: 'Grace',
        LastName: 'Hopper',
        ExternalEmailAddress: 'grace@example.org',
      },
    });
  });

  it('leaves out empty optional properties', () => {
    const invocation = toCmdletInvocation(
      request('MailContact', { Name: 'Grace', ExternalEmailAddress: 'grace@example.org', DisplayName: '  ', Alias: null }),
    );
    expect(invocation.parameters).toEqual({ Name: 'Grace', ExternalEmailAddress: 'grace@example.org' });
  });

  it('maps DistributionGroup types', () => {
    const cases: [string | undefined, string][] = [
      ['MailUniversalDistributionGroup', 'Distribution'],
      ['MailUniversalSecurityGroup', 'Security'],
      [undefined, 'Distribution'],
    ];
    for (const [recipientTypeDetails, type] of cases) {
      const invocation = toCmdletInvocation(
        request('DistributionGroup', {
          Name: 'Sales',
          DisplayName: 'Sales team',
          Alias: 'sales',
          PrimarySmtpAddress: 'sales@contoso.com',
          RecipientTypeDetails: recipientTypeDetails,
        }),
      );
      expect(invocation).toEqual({
        cmdletName: 'New-DistributionGroup',
        parameters: { Name: 'Sales', DisplayName: 'Sales team', Alias: 'sales', PrimarySmtpAddress: 'sales@contoso.com', Type: type },
      });
    }
  });

  it('rejects an unsupported group type', () => {
    const error = mappingError(() => toCmdletInvocation(request('DistributionGroup', { Name: 'Rooms', RecipientTypeDetails: 'RoomList' })));
    expect(error.transient).toBe(false);
    expect(error.message).toContain('RecipientTypeDetails "RoomList"');
  });

  it('maps DistributionGroupMember by address', () => {
    const invocation = toCmdletInvocation(
      request('DistributionGroupMember', { GroupGuid: 'group-guid', Guid: 'member-guid' }, {
        membership: {
          container: { key: 'group-guid', properties: { PrimarySmtpAddress: 'sales@contoso.com' } },
          member: { key: 'member-guid', properties: { PrimarySmtpAddress: 'grace@example.org' } },
        },
      }),
    );

    expect(invocation).toEqual({
      cmdletName: 'Add-DistributionGroupMember',
      parameters: { Identity: 'sales@contoso.com', Member: 'grace@example.org', BypassSecurityGroupManagerCheck: true },
    });
  });

  it('maps DistributionGroupMember by Guid without addresses', () => {
    const invocation = toCmdletInvocation(
      request('DistributionGroupMember', {}, {
        membership: { container: { key: 'group-guid', properties: {} }, member: { key: 'member-guid', properties: {} } },
      }),
    );
    expect(invocation.parameters.Identity).toBe('group-guid');
    expect(invocation.parameters.Member).toBe('member-guid');
  });

  it('rejects DistributionGroupMember without membership', () => {
    const error = mappingError(() => toCmdletInvocation(request('DistributionGroupMember', {})));
    expect(error.transient).toBe(false);
    expect(error.message).toContain('no membership');
  });

  it('rejects a custom table by name', () => {
    const error = mappingError(() => toCmdletInvocation(request('ProjectRooms', { Name: 'Room 1' })));
    expect(error.transient).toBe(false);
    expect(error.message).toContain('Table "ProjectRooms" has no Exchange Online cmdlet mapping');
  });

  it('names each missing required property', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['MailContact', { ExternalEmailAddress: 'grace@example.org' }, 'Name'],
      ['MailContact', { Name: 'Grace' }, 'ExternalEmailAddress'],
      ['MailContact', { Name: '', ExternalEmailAddress: 'grace@example.org' }, 'Name'],
      ['MailUser', { ExternalEmailAddress: 'ada@example.org', PrimarySmtpAddress: 'ada@contoso.com' }, 'Name'],
      ['MailUser', { Name: 'Ada', PrimarySmtpAddress: 'ada@contoso.com' }, 'ExternalEmailAddress'],
      ['DistributionGroup', { DisplayName: 'Sales' }, 'Name'],
    ];
    for (const [tableName, properties, missing] of cases) {
      const error = mappingError(() => toCmdletInvocation(request(tableName, properties), fixedPassword));
      expect(error.transient).toBe(false);
      expect(error.message).toContain(`required property "${missing}" is missing or empty`);
    }
  });

  it('rejects a non-string property', () => {
    const error = mappingError(() => toCmdletInvocation(request('MailContact', { Name: ['Grace'], ExternalEmailAddress: 'g@example.org' })));
    expect(error.transient).toBe(false);
    expect(error.message).toContain('property "Name" must be a string, but it is an array');
  });
});
