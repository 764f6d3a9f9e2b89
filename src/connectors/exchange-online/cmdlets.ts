/**
 * Maps a provisioning request for a built-in Exchange Online table to the cmdlet that creates the
 * object, using the cmdlets' own parameter names. Both Exchange Online connectors use this
 * mapping, so the simulated organization rejects what the real service would never be sent.
 */
import { randomBytes } from 'node:crypto';
import { ConnectorError, type ProvisioningRequest } from '../types.ts';

/** One cmdlet call as the Exchange Online admin API expects it in `CmdletInput`. */
export interface CmdletInvocation {
  cmdletName: 'New-MailUser' | 'New-MailContact' | 'New-DistributionGroup' | 'Add-DistributionGroupMember';
  parameters: Record<string, string | boolean>;
}

/** Options of {@link toCmdletInvocation}. Tests inject a fixed password generator. */
export interface CmdletMappingOptions {
  generatePassword?: () => string;
}

/** Names of the synchronization tables that have a cmdlet mapping. */
export const MAPPED_TABLES = ['MailUser', 'MailContact', 'DistributionGroup', 'DistributionGroupMember'] as const;

/** Value of the `Type` parameter of New-DistributionGroup for each group RecipientTypeDetails. */
const GROUP_TYPE_BY_RECIPIENT_TYPE: Record<string, 'Distribution' | 'Security'> = {
  MailUniversalDistributionGroup: 'Distribution',
  MailUniversalSecurityGroup: 'Security',
};

/**
 * Builds the cmdlet invocation that creates the object of `request` in Exchange Online.
 * Throws a permanent ConnectorError for a table without a mapping (a custom table), a missing or
 * empty required property, or a property value of the wrong type. The message names the table
 * or the property.
 */
export function toCmdletInvocation(request: ProvisioningRequest, options: CmdletMappingOptions = {}): CmdletInvocation {
  const read = propertyReader(request.tableName, request.objectKey, request.properties);
  switch (request.tableName) {
    case 'MailUser':
      return {
        cmdletName: 'New-MailUser',
        parameters: {
          ...read.optional(['DisplayName', 'Alias', 'FirstName', 'LastName', 'PrimarySmtpAddress']),
          Name: read.required('Name'),
          ExternalEmailAddress: read.required('ExternalEmailAddress'),
          // Exchange Online creates the Entra ID user along with the mail user, so New-MailUser
          // requires a sign-in name and a password. The sign-in name is the synchronized
          // MicrosoftOnlineServicesID, else UserPrincipalName, else PrimarySmtpAddress. The
          // password is random and is not stored, so the account cannot sign in until an
          // administrator resets its password.
          // NOTE: the password is sent as a plain string. Whether the admin API accepts that for
          // the SecureString parameter has not been checked against the real service.
          MicrosoftOnlineServicesID: read.firstOf(['MicrosoftOnlineServicesID', 'UserPrincipalName', 'PrimarySmtpAddress']),
          Password: (options.generatePassword ?? generatePassword)(),
        },
      };
    case 'MailContact':
      return {
        cmdletName: 'New-MailContact',
        parameters: {
          ...read.optional(['DisplayName', 'Alias', 'FirstName', 'LastName']),
          Name: read.required('Name'),
          ExternalEmailAddress: read.required('ExternalEmailAddress'),
        },
      };
    case 'DistributionGroup':
      return {
        cmdletName: 'New-DistributionGroup',
        parameters: {
          ...read.optional(['DisplayName', 'Alias', 'PrimarySmtpAddress']),
          Name: read.required('Name'),
          Type: groupType(request, read.optional(['RecipientTypeDetails']).RecipientTypeDetails),
        },
      };
    case 'DistributionGroupMember':
      return { cmdletName: 'Add-DistributionGroupMember', parameters: membershipParameters(request) };
    default:
      throw new ConnectorError(
        `Table "${request.tableName}" has no Exchange Online cmdlet mapping, so its objects cannot be published. ` +
          `Only ${MAPPED_TABLES.join(', ')} can be published to Exchange Online.`,
        false,
      );
  }
}

function groupType(request: ProvisioningRequest, recipientTypeDetails: string | undefined): 'Distribution' | 'Security' {
  // New-DistributionGroup creates a distribution group when Type is absent, so a group exported
  // without RecipientTypeDetails gets the cmdlet's default.
  if (recipientTypeDetails === undefined) return 'Distribution';
  const type = GROUP_TYPE_BY_RECIPIENT_TYPE[recipientTypeDetails];
  if (type === undefined) {
    throw new ConnectorError(
      `Cannot publish DistributionGroup ${request.objectKey}: RecipientTypeDetails "${recipientTypeDetails}" is not supported. ` +
        `Expected ${Object.keys(GROUP_TYPE_BY_RECIPIENT_TYPE).join(' or ')}.`,
      false,
    );
  }
  return type;
}

function membershipParameters(request: ProvisioningRequest): Record<string, string | boolean> {
  const membership = request.membership;
  if (membership === undefined) {
    throw new ConnectorError(
      `Cannot publish DistributionGroupMember ${request.objectKey}: the request has no membership (container and member).`,
      false,
    );
  }

  // The PrimarySmtpAddress comes first because a group or member that was itself published got
  // a new Guid from Exchange Online, so the synchronized Guid no longer finds it.
  const group = propertyReader('DistributionGroup', membership.container.key, membership.container.properties);
  const member = propertyReader('member', membership.member.key, membership.member.properties);
  return {
    Identity: group.optional(['PrimarySmtpAddress']).PrimarySmtpAddress ?? membership.container.key,
    Member: member.optional(['PrimarySmtpAddress']).PrimarySmtpAddress ?? membership.member.key,
    // Without this switch, only the owners listed in the group's ManagedBy may change its member
    // list, and the application that calls the admin API is not one of them.
    BypassSecurityGroupManagerCheck: true,
  };
}

function propertyReader(tableName: string, objectKey: string, properties: Record<string, unknown>) {
  const describe = `${tableName} ${objectKey}`;

  const readString = (name: string): string | undefined => {
    const value = properties[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      throw new ConnectorError(
        `Cannot publish ${describe}: property "${name}" must be a string, but it is ${Array.isArray(value) ? 'an array' : typeof value}.`,
        false,
      );
    }
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  };

  return {
    required(name: string): string {
      const value = readString(name);
      if (value === undefined) {
        throw new ConnectorError(`Cannot publish ${describe}: required property "${name}" is missing or empty.`, false);
      }
      return value;
    },
    firstOf(names: string[]): string {
      for (const name of names) {
        const value = readString(name);
        if (value !== undefined) return value;
      }
      throw new ConnectorError(
        `Cannot publish ${describe}: none of the properties ${names.map((name) => `"${name}"`).join(', ')} is set.`,
        false,
      );
    },
    optional(names: string[]): Record<string, string> {
      const present: Record<string, string> = {};
      for (const name of names) {
        const value = readString(name);
        if (value !== undefined) present[name] = value;
      }
      return present;
    },
  };
}

/** Generates a 32-character password that meets the Entra ID complexity rules. */
function generatePassword(): string {
  // The fixed suffix guarantees an upper-case letter, a lower-case letter, a digit and a symbol.
  return `${randomBytes(21).toString('base64url')}Aa1!`;
}
