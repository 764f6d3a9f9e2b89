import { parseSnapshotDate, type DateCulture } from './dates.js';
import { InvalidValueError } from './errors.js';

/**
 * Properties that Get-MailUser, Get-MailContact, Get-DistributionGroup and Get-DistributionGroupMember return
 * as collections (MultiValuedProperty). In CSV they must be joined with ';' and are split back into arrays.
 * Description is left out although groups return it as a collection, because splitting free text on ';' would
 * change it.
 */
const MULTI_VALUED = new Set(
  [
    'AcceptMessagesOnlyFrom', 'AcceptMessagesOnlyFromDLMembers', 'AcceptMessagesOnlyFromSendersOrMembers',
    'AddressListMembership', 'AdministrativeUnits', 'BypassModerationFromSendersOrMembers', 'EmailAddresses',
    'ExtensionCustomAttribute1', 'ExtensionCustomAttribute2', 'ExtensionCustomAttribute3',
    'ExtensionCustomAttribute4', 'ExtensionCustomAttribute5', 'Extensions', 'GrantSendOnBehalfTo', 'InPlaceHolds',
    'Languages', 'MailTipTranslations', 'ManagedBy', 'ModeratedBy', 'ObjectClass', 'PersistedCapabilities',
    'PoliciesExcluded', 'PoliciesIncluded', 'RejectMessagesFrom', 'RejectMessagesFromDLMembers',
    'RejectMessagesFromSendersOrMembers', 'UMDtmfMap',
  ].map((name) => name.toLowerCase()),
);

/** Boolean properties of the same cmdlets, which Export-Csv writes as True and False. */
const BOOLEAN = new Set(
  [
    'AccountDisabled', 'BypassNestedModerationEnabled', 'DeliverToMailboxAndForward', 'EmailAddressPolicyEnabled',
    'HiddenFromAddressListsEnabled', 'HiddenGroupMembershipEnabled', 'IsDirSynced', 'IsInactiveMailbox',
    'IsSoftDeletedByDisable', 'IsSoftDeletedByRemove', 'IsValid', 'LitigationHoldEnabled',
    'MessageCopyForSendOnBehalfEnabled', 'MessageCopyForSentAsEnabled', 'MigrationToUnifiedGroupInProgress',
    'ModerationEnabled', 'ReportToManagerEnabled', 'ReportToOriginatorEnabled', 'RequireSenderAuthenticationEnabled',
    'ResetPasswordOnNextLogon', 'RetentionHoldEnabled', 'SendOofMessageToOriginatorEnabled',
    'SingleItemRecoveryEnabled', 'UsePreferMessageFormat',
  ].map((name) => name.toLowerCase()),
);

type PropertyKind = 'date' | 'multi' | 'boolean' | 'other';

const kinds = new Map<string, PropertyKind>();

/** Returns how a property is read. Dates are WhenChanged, WhenCreated(UTC) and any name that starts with When or ends in Date. */
export function propertyKind(name: string): PropertyKind {
  let kind = kinds.get(name);
  if (kind === undefined) {
    const lower = name.toLowerCase();
    if (MULTI_VALUED.has(lower)) kind = 'multi';
    else if (BOOLEAN.has(lower)) kind = 'boolean';
    else if (name.startsWith('When') || name.endsWith('Date')) kind = 'date';
    else kind = 'other';
    if (kinds.size < 10_000) kinds.set(name, kind);
  }
  return kind;
}

/**
 * A .NET type name on its own: what Export-Csv writes for a collection it cannot flatten, because it calls
 * ToString() on each property value.
 */
const TYPE_NAME = /^(?:Deserialized\.)?(?:System|Microsoft)\.[\w.+]+(?:`\d+\[.*\])?(?:\[\])?$/;
const COLLECTION_TYPE = /\[\]$|Collection|ArrayList|List`|MultiValuedProperty|HashSet|Dictionary|Hashtable/;

/** Options for {@link normalizeProperty}. */
export interface NormalizeOptions {
  format: 'csv' | 'json';
  culture: DateCulture | undefined;
}

/**
 * Converts one property value as read from the file into its snapshot form. Dates become ISO-8601 strings,
 * multi-valued properties string arrays ([] when empty), known booleans booleans, and an empty string (CSV cell or
 * JSON string) null. Other values are kept. Throws InvalidValueError, whose message names the change to make in the export.
 */
export function normalizeProperty(name: string, value: unknown, options: NormalizeOptions): unknown {
  if (typeof value === 'string') checkNotTypeName(name, value, options.format);
  const kind = propertyKind(name);

  switch (kind) {
    case 'multi':
      if (value === null || value === '') return [];
      if (typeof value === 'string') return value.split(';');
      return value;
    case 'boolean':
      if (typeof value !== 'string') return value;
      if (value === '') return null;
      if (/^true$/i.test(value)) return true;
      if (/^false$/i.test(value)) return false;
      throw new InvalidValueError(`the value "${value}" is not a boolean. Expected True or False.`);
    case 'date':
      return normalizeDate(value, options.culture);
    default:
      // CSV cannot tell an empty string from a missing value, so JSON's "" becomes null as well and a table
      // reads the same from either format.
      return value === '' ? null : value;
  }
}

function normalizeDate(value: unknown, culture: DateCulture | undefined): unknown {
  if (value === null || value === '') return null;
  if (typeof value === 'string') return parseSnapshotDate(value, culture);
  // Windows PowerShell 5.1 writes a DateTime wrapped in a PSObject as { value, DisplayHint, DateTime }.
  if (typeof value === 'object' && !Array.isArray(value) && typeof (value as { value?: unknown }).value === 'string') {
    return parseSnapshotDate((value as { value: string }).value, culture);
  }
  throw new InvalidValueError(`the value ${JSON.stringify(value)} is not a date. Expected a string such as "/Date(1730710500000)/" or ISO-8601.`);
}

function checkNotTypeName(name: string, value: string, format: 'csv' | 'json'): void {
  const first = value.charCodeAt(0);
  if (first !== 0x53 && first !== 0x4d && first !== 0x44) return; // 'S', 'M', 'D': cheap pre-check before the regex
  if (!TYPE_NAME.test(value)) return;
  if (propertyKind(name) !== 'multi' && !COLLECTION_TYPE.test(value)) return;

  const fix =
    format === 'csv'
      ? `Join the property in the export with a calculated property in Select-Object, e.g. @{n='${name}';e={$_.${name} -join ';'}}.`
      : `Export again with a larger ConvertTo-Json -Depth, e.g. ConvertTo-Json -Depth 5.`;
  throw new InvalidValueError(`the value is only the type name "${value}", so the export lost the values. ${fix}`);
}
