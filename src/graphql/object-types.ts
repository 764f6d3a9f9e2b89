/**
 * The node types of synchronized objects, one per object kind, with typed fields for the common
 * Exchange Online properties. Recipients (mail users, mail contacts, distribution groups) share the
 * Recipient interface; accounts (mail users and mail contacts) add their link to an identity.
 */
import { AccountDefinition } from './account-definitions.ts';
import { builder } from './builder.ts';
import { LinkState } from './link-state.ts';
import { ManageLevel } from './manage-levels.ts';
import { Identity } from './identities.ts';
import { objectLoader } from './object-loaders.ts';
import { booleanProperty, dateProperty, stringListProperty, stringProperty } from './object-properties.ts';
import { objectNodeRef, TargetSystemObject } from './target-system-objects.ts';
import { linkStateOf } from '../domain/link-state.ts';
import type { ObjectRow } from '../domain/object-reads.ts';

export const Recipient = builder.interfaceRef<ObjectRow>('Recipient').implement({
  description: 'An Exchange Online recipient: a mail user, a mail contact or a distribution group.',
  // GraphQL wants every interface of an interface listed, Node included.
  interfaces: [builder.nodeInterfaceRef(), TargetSystemObject],
  fields: (t) => ({
    exchangeGuid: t.string({ nullable: true, description: 'The `ExchangeGuid` property.', resolve: (row) => stringProperty(row, 'ExchangeGuid') }),
    externalDirectoryObjectId: t.string({
      nullable: true,
      description: 'The `ExternalDirectoryObjectId` property: the object id in Microsoft Entra ID.',
      resolve: (row) => stringProperty(row, 'ExternalDirectoryObjectId'),
    }),
    alias: t.string({ nullable: true, description: 'The `Alias` property.', resolve: (row) => stringProperty(row, 'Alias') }),
    name: t.string({ nullable: true, description: 'The `Name` property.', resolve: (row) => stringProperty(row, 'Name') }),
    primarySmtpAddress: t.string({
      nullable: true,
      description: 'The `PrimarySmtpAddress` property.',
      resolve: (row) => stringProperty(row, 'PrimarySmtpAddress'),
    }),
    emailAddresses: t.stringList({
      nullable: true,
      description: 'The `EmailAddresses` property: proxy addresses such as `SMTP:ann@contoso.com`.',
      resolve: (row) => stringListProperty(row, 'EmailAddresses'),
    }),
    recipientTypeDetails: t.string({
      nullable: true,
      description: 'The `RecipientTypeDetails` property, e.g. `MailUser` or `MailUniversalDistributionGroup`.',
      resolve: (row) => stringProperty(row, 'RecipientTypeDetails'),
    }),
    hiddenFromAddressListsEnabled: t.boolean({
      nullable: true,
      description: 'The `HiddenFromAddressListsEnabled` property.',
      resolve: (row) => booleanProperty(row, 'HiddenFromAddressListsEnabled'),
    }),
    whenChanged: t.field({ type: 'DateTime', nullable: true, description: 'The `WhenChanged` property.', resolve: (row) => dateProperty(row, 'WhenChanged') }),
    whenCreated: t.field({ type: 'DateTime', nullable: true, description: 'The `WhenCreated` property.', resolve: (row) => dateProperty(row, 'WhenCreated') }),
  }),
});

export const Account = builder.interfaceRef<ObjectRow>('Account').implement({
  description: 'A mail user or mail contact, which synchronization links to an identity.',
  interfaces: [builder.nodeInterfaceRef(), TargetSystemObject, Recipient],
  fields: (t) => ({
    firstName: t.string({ nullable: true, description: 'The `FirstName` property.', resolve: (row) => stringProperty(row, 'FirstName') }),
    lastName: t.string({ nullable: true, description: 'The `LastName` property.', resolve: (row) => stringProperty(row, 'LastName') }),
    externalEmailAddress: t.string({
      nullable: true,
      description: 'The `ExternalEmailAddress` property: where mail to the account is delivered, e.g. `SMTP:ann@fabrikam.com`.',
      resolve: (row) => stringProperty(row, 'ExternalEmailAddress'),
    }),
    linkState: t.field({ type: LinkState, description: 'Whether the account is linked to an identity and configured.', resolve: (row) => linkStateOf(row) }),
    identity: t.field({ type: Identity, nullable: true, description: 'The identity behind the account; null when NOT_LINKED.', resolve: (row) => row.identityId }),
    accountDefinition: t.field({
      type: AccountDefinition,
      nullable: true,
      description: 'The account definition that manages the account; null unless LINKED_CONFIGURED.',
      resolve: (row) => row.accountDefinitionId,
    }),
    manageLevel: t.field({
      type: ManageLevel,
      nullable: true,
      description: 'How far the account definition manages the account; null unless LINKED_CONFIGURED.',
      resolve: (row) => row.manageLevelId,
    }),
  }),
});

export const MailUser = objectNodeRef('MAIL_USER');
builder.objectType(MailUser, {
  description: 'A mail user: a user with an e-mail address outside the organization (`Get-MailUser`).',
  interfaces: [TargetSystemObject, Recipient, Account],
  fields: () => ({}),
});

export const MailContact = objectNodeRef('MAIL_CONTACT');
builder.objectType(MailContact, {
  description: 'A mail contact: an external e-mail address in the address book (`Get-MailContact`).',
  interfaces: [TargetSystemObject, Recipient, Account],
  fields: () => ({}),
});

export const DistributionGroup = objectNodeRef('DISTRIBUTION_GROUP');
builder.objectType(DistributionGroup, {
  description: 'A distribution group or mail-enabled security group (`Get-DistributionGroup`).',
  interfaces: [TargetSystemObject, Recipient],
  fields: (t) => ({
    managedBy: t.stringList({ nullable: true, description: 'The `ManagedBy` property: the group\'s owners.', resolve: (row) => stringListProperty(row, 'ManagedBy') }),
    groupType: t.string({ nullable: true, description: 'The `GroupType` property, e.g. `Universal, SecurityEnabled`.', resolve: (row) => stringProperty(row, 'GroupType') }),
  }),
});

export const Membership = objectNodeRef('MEMBERSHIP');
builder.objectType(Membership, {
  description: 'A row of a member list: a member in a container (a distribution group). Each side can be shown as a full object.',
  interfaces: [TargetSystemObject],
  fields: (t) => ({
    container: t.field({
      type: TargetSystemObject,
      nullable: true,
      description: 'The group; null when it no longer exists in the database.',
      resolve: (row, _args, context) => (row.containerId === null ? null : objectLoader(context).load(row.containerId)),
    }),
    member: t.field({
      type: TargetSystemObject,
      nullable: true,
      description: 'The member; null when it no longer exists in the database.',
      resolve: (row, _args, context) => (row.memberId === null ? null : objectLoader(context).load(row.memberId)),
    }),
    isIndirect: t.exposeBoolean('isIndirect', {
      description: 'True when the membership is inherited from an account definition; indirect memberships cannot be deleted.',
    }),
  }),
});

export const CustomObject = objectNodeRef('CUSTOM');
builder.objectType(CustomObject, {
  description: 'A row of a custom synchronization table; its properties are in `properties`.',
  interfaces: [TargetSystemObject],
  fields: () => ({}),
});
