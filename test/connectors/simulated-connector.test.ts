import { beforeEach, describe, expect, it } from 'vitest';
import {
  createSimulatedExchangeOnlineConnector,
  simulatedOrganizations,
} from '../../src/connectors/exchange-online/simulated-connector.ts';
import { ConnectorError, type ProvisioningRequest } from '../../src/connectors/types.ts';

const contact = (objectKey: string, name: string, address: string): ProvisioningRequest => ({
  tableName: 'MailContact',
  objectKey,
  properties: { Name: name, DisplayName: name, ExternalEmailAddress: address },
});

const membership = (groupAddress: string, memberAddress: string): ProvisioningRequest => ({
  tableName: 'DistributionGroupMember',
  objectKey: `${groupAddress}/${memberAddress}`,
  properties: {},
  membership: {
    container: { key: 'group-guid', properties: { PrimarySmtpAddress: groupAddress } },
    member: { key: 'member-guid', properties: { PrimarySmtpAddress: memberAddress } },
  },
});

async function rejection(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe('simulated Exchange Online connector', () => {
  beforeEach(() => {
    simulatedOrganizations.clear();
  });

  it('creates a recipient', async () => {
    const connector = createSimulatedExchangeOnlineConnector({ writeAccess: true, tenantId: 'tenant-a' });
    const result = await connector.provision(contact('guid-1', 'Grace Hopper', 'grace@example.org'));

    expect(connector.writeAccess).toBe(true);
    expect(result.message).toBe('New-MailContact succeeded (simulated)');
    const recipient = simulatedOrganizations.get('tenant-a')?.recipients.get('guid-1');
    expect(recipient?.cmdletName).toBe('New-MailContact');
    expect(recipient?.tableName).toBe('MailContact');
    expect(recipient?.parameters).toEqual({ Name: 'Grace Hopper', DisplayName: 'Grace Hopper', ExternalEmailAddress: 'grace@example.org' });
  });

  it('stores a mail user without its password', async () => {
    const connector = createSimulatedExchangeOnlineConnector({ writeAccess: true });
    await connector.provision({
      tableName: 'MailUser',
      objectKey: 'guid-2',
      properties: { Name: 'Ada', ExternalEmailAddress: 'ada@example.org', PrimarySmtpAddress: 'ada@contoso.com' },
    });

    const parameters = simulatedOrganizations.get('default')?.recipients.get('guid-2')?.parameters;
    expect(parameters?.MicrosoftOnlineServicesID).toBe('ada@contoso.com');
    expect(parameters).not.toHaveProperty('Password');
  });

  it('rejects a duplicate address', async () => {
    const connector = createSimulatedExchangeOnlineConnector({ writeAccess: true });
    await connector.provision(contact('guid-1', 'Grace Hopper', 'grace@example.org'));

    const error = await rejection(connector.provision(contact('guid-2', 'Grace B. Hopper', 'SMTP:Grace@Example.org')));
    expect(error.transient).toBe(false);
    expect(error.message).toContain('The proxy address "SMTP:grace@example.org" is already being used');
    expect(simulatedOrganizations.get('default')?.recipients.size).toBe(1);
  });

  it('rejects a duplicate name', async () => {
    const connector = createSimulatedExchangeOnlineConnector({ writeAccess: true });
    await connector.provision(contact('guid-1', 'Grace Hopper', 'grace@example.org'));

    const error = await rejection(connector.provision(contact('guid-2', 'grace hopper', 'other@example.org')));
    expect(error.transient).toBe(false);
    expect(error.message).toContain('The name "grace hopper" is already being used');
  });

  it('keeps tenants apart', async () => {
    await createSimulatedExchangeOnlineConnector({ writeAccess: true, tenantId: 'tenant-a' }).provision(
      contact('guid-1', 'Grace Hopper', 'grace@example.org'),
    );
    await createSimulatedExchangeOnlineConnector({ writeAccess: true, tenantId: 'tenant-b' }).provision(
      contact('guid-1', 'Grace Hopper', 'grace@example.org'),
    );

    expect(simulatedOrganizations.get('tenant-a')?.recipients.size).toBe(1);
    expect(simulatedOrganizations.get('tenant-b')?.recipients.size).toBe(1);
  });

  it('adds members of unknown groups', async () => {
    const connector = createSimulatedExchangeOnlineConnector({ writeAccess: true });
    const result = await connector.provision(membership('Sales@contoso.com', 'grace@example.org'));

    expect(result.message).toBe('Add-DistributionGroupMember succeeded (simulated)');
    expect(simulatedOrganizations.get('default')?.memberships.get('sales@contoso.com')).toEqual(new Set(['grace@example.org']));
  });

  it('rejects an existing member', async () => {
    const connector = createSimulatedExchangeOnlineConnector({ writeAccess: true });
    await connector.provision(membership('sales@contoso.com', 'grace@example.org'));

    const error = await rejection(connector.provision(membership('sales@contoso.com', 'Grace@example.org')));
    expect(error.transient).toBe(false);
    expect(error.message).toContain('is already a member of the group "sales@contoso.com"');
  });

  it('rejects writes with write access off', async () => {
    const connector = createSimulatedExchangeOnlineConnector({ writeAccess: false, tenantId: 'tenant-a' });
    expect(connector.writeAccess).toBe(false);

    const error = await rejection(connector.provision(contact('guid-1', 'Grace Hopper', 'grace@example.org')));
    expect(error.transient).toBe(false);
    expect(error.message).toContain('Write access is off');
    expect(simulatedOrganizations.has('tenant-a')).toBe(false);
  });

  it('rejects a custom table', async () => {
    const connector = createSimulatedExchangeOnlineConnector({ writeAccess: true });
    const error = await rejection(connector.provision({ tableName: 'ProjectRooms', objectKey: 'room-1', properties: {} }));
    expect(error.transient).toBe(false);
    expect(error.message).toContain('"ProjectRooms"');
  });
});
