/**
 * Account management, an operator's action: giving LINKED accounts an account definition and a
 * manage level, and changing or taking away those of LINKED_CONFIGURED accounts.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { z } from 'zod';
import { AccountFilter, parseAccountFilter } from './accounts.ts';
import { builder } from './builder.ts';
import { BulkOperation } from './bulk-operations.ts';
import { accountManagementContext } from './change-context.ts';
import type { Context } from './context.ts';
import { UserError, registerUserErrorType, toPayload } from './errors.ts';
import { parseId, parseIds } from './global-ids.ts';
import { objectLoader, TYPE_NAME_BY_KIND } from './object-loaders.ts';
import { TargetSystemObject } from './target-system-objects.ts';
import type { AccountRejection } from '../domain/account-eligibility.ts';
import { assignAccountDefinitionToLinkedAccounts, changeAccountManagement, type AccountManagementResult } from '../domain/account-management.ts';
import type { DomainError } from '../domain/errors.ts';
import type { ObjectKind, ObjectRow } from '../domain/object-reads.ts';
import { startLinkAccountsOperation } from '../domain/link-accounts-operation.ts';

const ACCOUNT_TYPE_NAMES = ['MailUser', 'MailContact'];

const AccountRejectionReason = builder.simpleObject('AccountRejectionReason', {
  description: 'One reason why an account cannot be changed.',
  fields: (t) => ({
    code: t.string({
      description:
        'Stable code: NOT_LINKED, ALREADY_CONFIGURED, NOT_CONFIGURED, OUTSTANDING, BUSY, OTHER_TENANT_DEFINITION, OTHER_TARGET_SYSTEM_TYPE or MANAGE_LEVEL_NOT_ALLOWED.',
    }),
    message: t.string({ description: 'The reason and what to do, in English.' }),
  }),
});

const RejectedAccount = builder.objectRef<AccountRejection>('RejectedAccount').implement({
  description: 'An account that a request cannot change, with every reason.',
  fields: (t) => ({
    accountId: t.id({ description: 'Global ID of the account.', resolve: (rejection) => encodeGlobalID(TYPE_NAME_BY_KIND[rejection.objectKind as ObjectKind] ?? 'MailUser', rejection.objectId) }),
    displayName: t.exposeString('displayName', { description: 'Display name of the account.' }),
    reasons: t.field({ type: [AccountRejectionReason], description: 'Why it cannot be changed.', resolve: (rejection) => rejection.reasons }),
  }),
});

builder.objectRef<DomainError>('AccountsRejectedError').implement({
  description: 'Some selected accounts cannot be changed, so nothing was changed. `accounts` names each of them with its reasons.',
  interfaces: [UserError],
  isTypeOf: (value) => (value as DomainError).code === 'ACCOUNTS_REJECTED',
  fields: (t) => ({
    accounts: t.field({ type: [RejectedAccount], description: 'Every offending account.', resolve: (error) => error.details.accounts as AccountRejection[] }),
  }),
});
registerUserErrorType('ACCOUNTS_REJECTED', 'AccountsRejectedError');

const AccountManagementPayload = builder.objectRef<Partial<AccountManagementResult> & { errors: DomainError[] }>('AccountManagementPayload').implement({
  description: 'Result of `assignAccountDefinitionToLinkedAccounts` and `changeAccountManagement`: the changed accounts, or the bulk operation that changes them.',
  fields: (t) => ({
    accounts: t.field({
      type: [TargetSystemObject],
      nullable: true,
      description: 'The accounts as changed, when the request ran at once; empty when it became a bulk operation; null when `errors` is non-empty.',
      resolve: async (payload, _args, context) => {
        if (!payload.accountIds) return null;
        const rows = await objectLoader(context).loadMany(payload.accountIds);
        return rows.filter((row): row is ObjectRow => row !== null && !(row instanceof Error));
      },
    }),
    accountCount: t.int({ nullable: true, description: 'Accounts changed at once.', resolve: (payload) => payload.accountIds?.length ?? null }),
    bulkOperation: t.field({
      type: BulkOperation,
      nullable: true,
      description: 'The LINK_ACCOUNTS bulk operation that changes the accounts, when they were more than LINK_BULK_THRESHOLD. Follow it with `bulkOperationProgress`.',
      resolve: (payload) => payload.bulkOperationId ?? null,
    }),
    inheritedMembershipsAdded: t.int({ nullable: true, description: 'Indirect memberships the change added.', resolve: (payload) => payload.inheritance?.added ?? null }),
    inheritedMembershipsRemoved: t.int({ nullable: true, description: 'Indirect memberships the change removed.', resolve: (payload) => payload.inheritance?.removed ?? null }),
    errors: t.field({ type: [UserError], description: 'Why nothing was changed; empty on success.', resolve: (payload) => payload.errors }),
  }),
});

const selectionFields = {
  accountIds: 'Accounts (mail users and mail contacts) to change; or use `filter`.',
  filter: 'Selects the accounts by filter instead of `accountIds`; resolved into a fixed list when the request is accepted.',
};

const AssignInput = builder.inputType('AssignAccountDefinitionToLinkedAccountsInput', {
  description: 'LINKED accounts and the account definition and manage level they get.',
  fields: (t) => ({
    accountIds: t.idList({ required: false, description: selectionFields.accountIds, validate: z.array(z.unknown()).max(200_000) }),
    filter: t.field({ type: AccountFilter, required: false, description: selectionFields.filter }),
    accountDefinitionId: t.id({ description: "An account definition of the accounts' tenant." }),
    manageLevelId: t.id({ description: 'A manage level the account definition allows.' }),
  }),
});

const ChangeInput = builder.inputType('ChangeAccountManagementInput', {
  description: 'LINKED_CONFIGURED accounts and their new account definition or manage level. Omitted fields keep their values.',
  fields: (t) => ({
    accountIds: t.idList({ required: false, description: selectionFields.accountIds, validate: z.array(z.unknown()).max(200_000) }),
    filter: t.field({ type: AccountFilter, required: false, description: selectionFields.filter }),
    accountDefinitionId: t.id({
      required: false,
      description: 'New account definition (with its default manage level unless `manageLevelId` is given); null takes it away and makes the accounts LINKED.',
    }),
    manageLevelId: t.id({ required: false, description: 'New manage level; it must be allowed by the account definition.' }),
  }),
});

function runContext(context: Context) {
  return {
    ...accountManagementContext(context),
    bulkThreshold: context.services.config.LINK_BULK_THRESHOLD,
    startBulkOperation: async (request: Parameters<typeof startLinkAccountsOperation>[2]) => {
      const operation = await startLinkAccountsOperation(context.services.db, context.actor, request);
      context.services.notifyJobs();
      return operation.id;
    },
  };
}

const selectionOf = (input: { accountIds?: readonly (string | number)[] | null; filter?: Parameters<typeof parseAccountFilter>[0] }, context: Context) => ({
  accountIds: parseIds(input.accountIds?.map(String), ACCOUNT_TYPE_NAMES, 'input.accountIds'),
  filter: input.filter ? parseAccountFilter(input.filter, context, 'input.filter') : null,
});

builder.mutationField('assignAccountDefinitionToLinkedAccounts', (t) =>
  t.field({
    description:
      'Gives LINKED accounts an account definition and a manage level (LINKED_CONFIGURED) and adds their inherited memberships. Rejected as a whole, naming each offending account, when any cannot take it.',
    type: AccountManagementPayload,
    authScopes: { operator: true },
    args: { input: t.arg({ type: AssignInput, required: true }) },
    resolve: (_root, { input }, context) =>
      toPayload(() =>
        assignAccountDefinitionToLinkedAccounts(
          context.services.db,
          {
            ...selectionOf(input, context),
            accountDefinitionId: parseId(String(input.accountDefinitionId), ['AccountDefinition'], 'input.accountDefinitionId'),
            manageLevelId: parseId(String(input.manageLevelId), ['ManageLevel'], 'input.manageLevelId'),
          },
          runContext(context),
        ),
      ),
  }),
);

builder.mutationField('changeAccountManagement', (t) =>
  t.field({
    description:
      'Changes the account definition or manage level of LINKED_CONFIGURED accounts, or takes the definition away (LINKED), and recomputes their inherited memberships. Rejected as a whole, naming each offending account.',
    type: AccountManagementPayload,
    authScopes: { operator: true },
    args: { input: t.arg({ type: ChangeInput, required: true }) },
    resolve: (_root, { input }, context) => {
      const definition = input.accountDefinitionId;
      return toPayload(() =>
        changeAccountManagement(
          context.services.db,
          {
            ...selectionOf(input, context),
            accountDefinitionId: definition === undefined ? undefined : definition === null ? null : parseId(String(definition), ['AccountDefinition'], 'input.accountDefinitionId'),
            manageLevelId: input.manageLevelId == null ? null : parseId(String(input.manageLevelId), ['ManageLevel'], 'input.manageLevelId'),
          },
          runContext(context),
        ),
      );
    },
  }),
);
