/**
 * An in-process simulated Exchange Online organization, the connector of the embedded default.
 * It runs the same cmdlet mapping as the HTTP connector and keeps what it creates in memory, per
 * tenant, until the process ends.
 *
 * Each organization starts empty and does not know what already exists in the tenant, so it
 * checks only against what it created itself. Adding a member succeeds whether or not the group
 * and the member were created here. Unlike the real service, which assigns a new Guid, the
 * simulation stores each recipient under the request's objectKey.
 */
import type { ProvisioningRequest, ProvisioningResult, TargetSystemConnector } from '../types.ts';
import { ConnectorError } from '../types.ts';
import { toCmdletInvocation, type CmdletInvocation } from './cmdlets.ts';

/** A recipient that the simulated organization created. */
export interface SimulatedRecipient {
  /** The request's objectKey, i.e. the synchronized Guid. */
  guid: string;
  tableName: string;
  cmdletName: CmdletInvocation['cmdletName'];
  /** The cmdlet parameters as sent, without the generated Password. */
  parameters: Record<string, string | boolean>;
  createdAt: Date;
}

/** The state of one simulated Exchange Online organization. */
export interface SimulatedOrganization {
  /** Created recipients by objectKey. */
  recipients: Map<string, SimulatedRecipient>;
  /** Member identities by group identity, both lower-cased as sent (PrimarySmtpAddress or Guid). */
  memberships: Map<string, Set<string>>;
}

/** Simulated organizations by tenant id. Tests read and clear this map. */
export const simulatedOrganizations = new Map<string, SimulatedOrganization>();

/** Tenant id under which a connector without one keeps its objects. */
export const DEFAULT_SIMULATED_TENANT_ID = 'default';

/** Settings of the simulated connector. */
export interface SimulatedConnectorSettings {
  /** False makes every provision call fail with a permanent ConnectorError and change nothing. */
  writeAccess: boolean;
  /** Key in {@link simulatedOrganizations}. Connectors with the same tenant id share one organization. */
  tenantId?: string;
}

/**
 * Creates a connector that provisions into the simulated organization of `settings.tenantId`.
 * Like the real service, it rejects with a permanent ConnectorError a recipient whose Name or
 * e-mail address is already used and a member that the group already has.
 */
export function createSimulatedExchangeOnlineConnector(settings: SimulatedConnectorSettings): TargetSystemConnector {
  const tenantId = settings.tenantId ?? DEFAULT_SIMULATED_TENANT_ID;

  return {
    writeAccess: settings.writeAccess,

    async provision(request: ProvisioningRequest): Promise<ProvisioningResult> {
      if (!settings.writeAccess) {
        throw new ConnectorError(
          `Write access is off for the simulated Exchange Online organization of tenant ${tenantId}, so ` +
            `${request.tableName} ${request.objectKey} was not published. Turn on writeAccess in the connector settings to publish.`,
          false,
        );
      }
      const invocation = toCmdletInvocation(request);
      const organization = organizationOf(tenantId);

      if (invocation.cmdletName === 'Add-DistributionGroupMember') {
        addMember(organization, invocation.parameters);
      } else {
        addRecipient(organization, request, invocation);
      }
      return { message: `${invocation.cmdletName} succeeded (simulated)` };
    },
  };
}

function organizationOf(tenantId: string): SimulatedOrganization {
  let organization = simulatedOrganizations.get(tenantId);
  if (organization === undefined) {
    organization = { recipients: new Map(), memberships: new Map() };
    simulatedOrganizations.set(tenantId, organization);
  }
  return organization;
}

function addRecipient(organization: SimulatedOrganization, request: ProvisioningRequest, invocation: CmdletInvocation): void {
  const { Password: _password, ...parameters } = invocation.parameters;
  const name = String(parameters.Name);
  const addresses = proxyAddressesOf(parameters);

  for (const existing of organization.recipients.values()) {
    if (String(existing.parameters.Name).toLowerCase() === name.toLowerCase()) {
      throw new ConnectorError(`The name "${name}" is already being used. Please try another name.`, false);
    }
    const used = proxyAddressesOf(existing.parameters).find((address) => addresses.includes(address));
    if (used !== undefined) {
      throw new ConnectorError(
        `The proxy address "SMTP:${used}" is already being used by the proxy addresses of "${String(existing.parameters.Name)}". ` +
          'Please choose another proxy address.',
        false,
      );
    }
  }
  if (organization.recipients.has(request.objectKey)) {
    throw new ConnectorError(`A recipient with Guid ${request.objectKey} already exists.`, false);
  }

  organization.recipients.set(request.objectKey, {
    guid: request.objectKey,
    tableName: request.tableName,
    cmdletName: invocation.cmdletName,
    parameters,
    createdAt: new Date(),
  });
}

function addMember(organization: SimulatedOrganization, parameters: Record<string, string | boolean>): void {
  const group = String(parameters.Identity);
  const member = String(parameters.Member);
  let members = organization.memberships.get(group.toLowerCase());
  if (members === undefined) {
    members = new Set();
    organization.memberships.set(group.toLowerCase(), members);
  }
  if (members.has(member.toLowerCase())) {
    throw new ConnectorError(`The recipient "${member}" is already a member of the group "${group}".`, false);
  }
  members.add(member.toLowerCase());
}

/** Lower-cased SMTP addresses of a recipient, without an `SMTP:` prefix. */
function proxyAddressesOf(parameters: Record<string, string | boolean>): string[] {
  const addresses: string[] = [];
  for (const name of ['PrimarySmtpAddress', 'ExternalEmailAddress']) {
    const value = parameters[name];
    if (typeof value === 'string') addresses.push(value.replace(/^smtp:/i, '').toLowerCase());
  }
  return addresses;
}
