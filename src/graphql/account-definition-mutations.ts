/**
 * Creating, changing and deleting account definitions, and naming a tenant's initial one.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { z } from 'zod';
import { AccountDefinition } from './account-definitions.ts';
import { builder } from './builder.ts';
import { changeContext } from './change-context.ts';
import { UserError, toPayload } from './errors.ts';
import { parseId, parseIds } from './global-ids.ts';
import { Tenant } from './tenants.ts';
import { createAccountDefinition, deleteAccountDefinition, updateAccountDefinition } from '../domain/account-definitions.ts';
import { assignAccountDefinitionToTenant } from '../domain/initial-account-definition.ts';

/** Objects that hold member lists: distribution groups, or rows of a custom container table. */
const GROUP_TYPE_NAMES = ['DistributionGroup', 'CustomObject'];
const idList = z.array(z.unknown()).max(500);

const AccountDefinitionPayload = builder.simpleObject('AccountDefinitionPayload', {
  description: 'Result of `createAccountDefinition` and `updateAccountDefinition`.',
  fields: (t) => ({
    accountDefinition: t.field({ type: AccountDefinition, nullable: true, description: 'The account definition as stored, unless `errors` is non-empty.' }),
    errors: t.field({ type: [UserError], description: 'Why nothing was changed; empty on success.' }),
  }),
});

const CreateAccountDefinitionInput = builder.inputType('CreateAccountDefinitionInput', {
  description: 'An account definition to create for one tenant.',
  fields: (t) => ({
    tenant: t.id({ description: 'The tenant it belongs to.' }),
    targetSystemType: t.id({ required: false, description: "The target system type whose accounts it manages; the tenant's target system's type when omitted." }),
    name: t.string({ description: 'Name, unique within the tenant, 1 to 200 characters.', validate: z.string().max(200) }),
    description: t.string({ required: false, description: 'What the definition is for.', validate: z.string().max(2000) }),
    allowedManageLevels: t.idList({ description: 'Manage levels its accounts may have; at least one.', validate: idList }),
    defaultManageLevel: t.id({ description: 'Manage level given when none is named; one of `allowedManageLevels`.' }),
    groups: t.idList({ required: false, description: "Distribution groups of the tenant to pass on to its accounts as indirect memberships.", validate: idList }),
  }),
});

builder.mutationField('createAccountDefinition', (t) =>
  t.field({
    description: 'Creates an account definition for a tenant.',
    type: AccountDefinitionPayload,
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateAccountDefinitionInput, required: true }) },
    resolve: (_root, { input }, context) =>
      toPayload(async () => {
        const parsed = {
          tenantId: parseId(String(input.tenant), ['Tenant'], 'input.tenant'),
          targetSystemTypeId: input.targetSystemType == null ? null : parseId(String(input.targetSystemType), ['TargetSystemType'], 'input.targetSystemType'),
          name: input.name,
          description: input.description,
          allowedManageLevelIds: parseIds(input.allowedManageLevels.map(String), ['ManageLevel'], 'input.allowedManageLevels')!,
          defaultManageLevelId: parseId(String(input.defaultManageLevel), ['ManageLevel'], 'input.defaultManageLevel'),
          groupIds: parseIds(input.groups?.map(String), GROUP_TYPE_NAMES, 'input.groups'),
        };
        return { accountDefinition: await createAccountDefinition(context.db, parsed, changeContext(context, 'account-definitions')) };
      }),
  }),
);

const UpdateAccountDefinitionInput = builder.inputType('UpdateAccountDefinitionInput', {
  description: 'Changes to an account definition; omitted fields keep their values.',
  fields: (t) => ({
    id: t.id({ description: 'The account definition to change.' }),
    version: t.int({ description: 'The `version` the change is based on; if someone changed it since, the change is rejected with CONFLICT.' }),
    name: t.string({ required: false, description: 'New name, unique within the tenant.', validate: z.string().max(200) }),
    description: t.string({ required: false, description: 'New description; an empty string clears it.', validate: z.string().max(2000) }),
    allowedManageLevels: t.idList({ required: false, description: 'New set of allowed manage levels; rejected while accounts use a level it leaves out.', validate: idList }),
    defaultManageLevel: t.id({ required: false, description: 'New default manage level; one of the allowed ones.' }),
    groups: t.idList({ required: false, description: 'New set of groups passed on; inherited memberships follow at once.', validate: idList }),
  }),
});

builder.mutationField('updateAccountDefinition', (t) =>
  t.field({
    description: 'Changes an account definition. Of two changes based on the same `version`, the second is rejected with CONFLICT and nothing is lost.',
    type: AccountDefinitionPayload,
    authScopes: { admin: true },
    args: { input: t.arg({ type: UpdateAccountDefinitionInput, required: true }) },
    resolve: (_root, { input }, context) =>
      toPayload(async () => {
        const parsed = {
          id: parseId(String(input.id), ['AccountDefinition'], 'input.id'),
          version: input.version,
          name: input.name,
          description: input.description,
          allowedManageLevelIds: parseIds(input.allowedManageLevels?.map(String), ['ManageLevel'], 'input.allowedManageLevels'),
          defaultManageLevelId: input.defaultManageLevel == null ? null : parseId(String(input.defaultManageLevel), ['ManageLevel'], 'input.defaultManageLevel'),
          groupIds: parseIds(input.groups?.map(String), GROUP_TYPE_NAMES, 'input.groups'),
        };
        return { accountDefinition: await updateAccountDefinition(context.db, parsed, changeContext(context, 'account-definitions')) };
      }),
  }),
);

builder.mutationField('deleteAccountDefinition', (t) =>
  t.field({
    description: "Deletes an account definition. Rejected while accounts use it or while it is a tenant's initial account definition.",
    type: builder.simpleObject('DeleteAccountDefinitionPayload', {
      description: 'Result of `deleteAccountDefinition`.',
      fields: (f) => ({
        deletedAccountDefinitionId: f.id({ nullable: true, description: 'Global ID of the deleted account definition, unless `errors` is non-empty.' }),
        errors: f.field({ type: [UserError], description: 'Why it was not deleted; empty on success.' }),
      }),
    }),
    authScopes: { admin: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('DeleteAccountDefinitionInput', {
          description: 'The account definition to delete.',
          fields: (f) => ({ id: f.id({ description: 'The account definition to delete.' }) }),
        }),
      }),
    },
    resolve: (_root, { input }, context) =>
      toPayload(async () => {
        const id = parseId(String(input.id), ['AccountDefinition'], 'input.id');
        await deleteAccountDefinition(context.db, id, changeContext(context, 'account-definitions'));
        return { deletedAccountDefinitionId: encodeGlobalID('AccountDefinition', id) };
      }),
  }),
);

builder.mutationField('assignAccountDefinitionToTenant', (t) =>
  t.field({
    description: "Makes one of the tenant's account definitions its initial one, which later synchronization runs give to new accounts; null clears it.",
    type: builder.simpleObject('AssignAccountDefinitionToTenantPayload', {
      description: 'Result of `assignAccountDefinitionToTenant`.',
      fields: (f) => ({
        tenant: f.field({ type: Tenant, nullable: true, description: 'The tenant as stored, unless `errors` is non-empty.' }),
        errors: f.field({ type: [UserError], description: 'Why nothing was changed; empty on success.' }),
      }),
    }),
    authScopes: { admin: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('AssignAccountDefinitionToTenantInput', {
          description: "The tenant and its new initial account definition.",
          fields: (f) => ({
            tenant: f.id({ description: 'The tenant.' }),
            accountDefinition: f.id({ required: false, description: 'One of the tenant\'s account definitions; null or omitted clears the initial account definition.' }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, context) =>
      toPayload(() =>
        assignAccountDefinitionToTenant(
          context.db,
          {
            tenantId: parseId(String(input.tenant), ['Tenant'], 'input.tenant'),
            accountDefinitionId: input.accountDefinition == null ? null : parseId(String(input.accountDefinition), ['AccountDefinition'], 'input.accountDefinition'),
          },
          changeContext(context, 'account-definitions'),
        ),
      ),
  }),
);
