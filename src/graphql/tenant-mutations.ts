/**
 * Registering, changing and deleting tenants with their connector settings. The client secret is
 * write-only: it is accepted here, stored encrypted, and never returned or logged.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { z } from 'zod';
import { builder } from './builder.ts';
import { changeContext } from './change-context.ts';
import { UserError, registerUserErrorType, toPayload } from './errors.ts';
import { ConnectorMode, TargetSystem } from './target-systems.ts';
import { Tenant, domainSchema, tenantNameSchema } from './tenants.ts';
import type { DomainError } from '../domain/errors.ts';
import { createTenant, deleteTenant, updateTenant } from '../domain/tenants.ts';

const urlSchema = z.string().trim().min(1).max(2048);

const ConnectorSettingsInput = builder.inputType('ConnectorSettingsInput', {
  description:
    'Connector settings of the target system. On update, an omitted field keeps its stored value; switching to SIMULATED clears the HTTP settings and the stored secret.',
  fields: (t) => ({
    mode: t.field({ type: ConnectorMode, required: false, description: 'Which connector to use; SIMULATED when a tenant is created without it.' }),
    writeAccess: t.boolean({ required: false, description: 'Whether the connector may write (publish); on when a tenant is created without it.' }),
    baseUrl: t.string({ required: false, description: 'HTTP: base URL of the Exchange Online admin API, https (http only for localhost).', validate: urlSchema }),
    tokenEndpoint: t.string({ required: false, description: 'HTTP: Entra ID token endpoint for the client-credentials flow, https.', validate: urlSchema }),
    clientId: t.string({ required: false, description: 'HTTP: application (client) id of the Entra ID app registration.', validate: z.string().trim().min(1).max(200) }),
    clientSecret: t.string({
      required: false,
      description: 'HTTP: client secret of the app registration. Stored encrypted (needs SECRET_KEY on the server) and never returned.',
      validate: z.string().min(1).max(4096),
    }),
  }),
});

builder.objectRef<DomainError>('SecretKeyMissingError').implement({
  description: 'A client secret was to be stored, but the server has no SECRET_KEY to encrypt it with. An administrator must set it.',
  interfaces: [UserError],
  isTypeOf: (value) => (value as DomainError).code === 'SECRET_KEY_MISSING',
  fields: (t) => ({
    variable: t.string({ description: 'The environment variable to set: `SECRET_KEY`.', resolve: (error) => String(error.details.variable) }),
  }),
});
registerUserErrorType('SECRET_KEY_MISSING', 'SecretKeyMissingError');

const TenantPayload = builder.simpleObject('TenantPayload', {
  description: 'Result of `createTenant` and `updateTenant`.',
  fields: (t) => ({
    tenant: t.field({ type: Tenant, nullable: true, description: 'The tenant as stored, unless `errors` is non-empty.' }),
    targetSystem: t.field({ type: TargetSystem, nullable: true, description: "The tenant's target system as stored, unless `errors` is non-empty." }),
    errors: t.field({ type: [UserError], description: 'Why nothing was changed; empty on success.' }),
  }),
});

builder.mutationField('createTenant', (t) =>
  t.field({
    description: 'Registers a tenant with its Exchange Online target system and connector settings (the simulated connector unless `connector` names another).',
    type: TenantPayload,
    authScopes: { globalAdmin: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreateTenantInput', {
          description: 'A Microsoft Entra ID tenant to register, with its Exchange Online target system.',
          fields: (f) => ({
            name: f.string({ description: 'Unique name, 1 to 100 characters.', validate: tenantNameSchema }),
            primaryDomain: f.string({ description: 'Primary domain, e.g. `contoso.com`.', validate: domainSchema }),
            connector: f.field({ type: ConnectorSettingsInput, required: false, description: 'Connector settings; the simulated connector with write access when omitted.' }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, context) => toPayload(() => createTenant(context.db, input, changeContext(context, 'tenants'))),
  }),
);

builder.mutationField('updateTenant', (t) =>
  t.field({
    description: "Changes a tenant's name, primary domain or connector settings. Send the `version` you read; a newer one is rejected with CONFLICT.",
    type: TenantPayload,
    authScopes: { admin: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('UpdateTenantInput', {
          description: 'Changes to a tenant; omitted fields keep their values.',
          fields: (f) => ({
            id: f.globalID({ for: Tenant, description: 'The tenant to change.' }),
            version: f.int({ description: 'The `version` of the tenant the change is based on.' }),
            name: f.string({ required: false, description: 'New unique name.', validate: tenantNameSchema }),
            primaryDomain: f.string({ required: false, description: 'New primary domain.', validate: domainSchema }),
            connector: f.field({ type: ConnectorSettingsInput, required: false, description: 'Connector settings to change.' }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, context) =>
      toPayload(() => updateTenant(context.db, { ...input, id: input.id.id }, changeContext(context, 'tenants'))),
  }),
);

builder.mutationField('deleteTenant', (t) =>
  t.field({
    description: 'Deletes a tenant with its target system, account definitions, identities and run history. Rejected while it has synchronized objects.',
    type: builder.simpleObject('DeleteTenantPayload', {
      description: 'Result of `deleteTenant`.',
      fields: (f) => ({
        deletedTenantId: f.id({ nullable: true, description: 'Global ID of the deleted tenant, unless `errors` is non-empty.' }),
        errors: f.field({ type: [UserError], description: 'Why the tenant was not deleted; empty on success.' }),
      }),
    }),
    authScopes: { admin: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('DeleteTenantInput', {
          description: 'The tenant to delete.',
          fields: (f) => ({ id: f.globalID({ for: Tenant, description: 'The tenant to delete.' }) }),
        }),
      }),
    },
    resolve: (_root, { input }, context) =>
      toPayload(async () => {
        await deleteTenant(context.db, input.id.id, changeContext(context, 'tenants'));
        return { deletedTenantId: encodeGlobalID('Tenant', input.id.id) };
      }),
  }),
);
