import { z } from 'zod';
import { builder } from './builder.ts';
import { UserError, toPayload } from './errors.ts';
import { parseIntegerId } from './loaders.ts';
import { parsePageArgs, toConnection } from './pagination.ts';
import { countTenants, createTenant, listTenants, loadTenants, type TenantRow } from '../domain/tenants.ts';

export const Tenant = builder.loadableNodeRef<TenantRow, number, number>('Tenant', {
  id: { resolve: (row) => row.id, parse: (id) => parseIntegerId(id) },
  load: async (ids, context) => {
    const rows = await loadTenants(context.db, ids);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? new Error(`Tenant ${id} not found.`));
  },
});

builder.objectType(Tenant, {
  description: 'A Microsoft Entra ID tenant whose Exchange Online organization is synchronized.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Unique name used on the command line, e.g. "Contoso".' }),
    primaryDomain: t.exposeString('primaryDomain', { description: 'Primary domain of the tenant, e.g. `contoso.com`.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the tenant was registered.' }),
  }),
});

export const TenantConnection = builder.connectionObject(
  { type: Tenant, name: 'TenantConnection', description: 'A page of tenants.' },
  { name: 'TenantEdge', description: 'One Tenant with its cursor.' },
);

builder.queryField('tenants', (t) =>
  t.connection({
    description: 'Registered tenants, by name.',
    type: Tenant,
    resolve: async (_root, args, context) => {
      const page = parsePageArgs(args, 2);
      const rows = await listTenants(context.db, page);
      return toConnection(rows, page, (row) => [row.name, row.id], () => countTenants(context.db));
    },
  }, TenantConnection),
);

const CreateTenantInput = builder.inputType('CreateTenantInput', {
  description: 'A Microsoft Entra ID tenant to register, with its Exchange Online target system.',
  fields: (t) => ({
    name: t.string({ description: 'Unique name, 1 to 100 characters.', validate: z.string().trim().min(1).max(100) }),
    primaryDomain: t.string({
      description: 'Primary domain, e.g. `contoso.com`.',
      validate: z.string().regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i, 'expected a domain name such as contoso.com'),
    }),
  }),
});

const CreateTenantPayload = builder.simpleObject('CreateTenantPayload', {
  description: 'Result of `createTenant`.',
  fields: (t) => ({
    tenant: t.field({ type: Tenant, nullable: true, description: 'The new tenant, unless `errors` is non-empty.' }),
    errors: t.field({ type: [UserError], description: 'Why the tenant was not created; empty on success.' }),
  }),
});

builder.mutationField('createTenant', (t) =>
  t.field({
    description: 'Registers a tenant with its Exchange Online target system (simulated connector).',
    type: CreateTenantPayload,
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateTenantInput, required: true }) },
    resolve: (_root, { input }, context) =>
      toPayload(async () => {
        const { tenant } = await context.db.transaction((tx) => createTenant(tx, input));
        return { tenant };
      }),
  }),
);
