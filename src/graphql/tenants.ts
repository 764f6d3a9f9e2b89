import DataLoader from 'dataloader';
import { z } from 'zod';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { loaderFor } from './loaders.ts';
import { integerNodeId } from './node-ids.ts';
import { parsePageArgs, toConnection } from './pagination.ts';
import { TargetSystem } from './target-systems.ts';
import { countAccountsByTenant, countObjectsByTenant, loadTargetSystemsByTenant, type TenantObjectCounts } from '../domain/tenant-reads.ts';
import { countTenants, listTenants, loadTenants, type TargetSystemRow, type TenantRow } from '../domain/tenants.ts';
import type { LinkState } from '../domain/link-state.ts';
import { tenantScope } from '../domain/tenant-scope.ts';

export const Tenant = builder.loadableNodeRef<TenantRow, number, number>('Tenant', {
  id: integerNodeId,
  load: async (ids, context) => {
    const rows = await loadTenants(context.db, ids, tenantScope(context.actor));
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? new Error(`Tenant ${id} not found.`));
  },
});

const targetSystemLoader = (context: Context) =>
  new DataLoader<number, TargetSystemRow>(async (tenantIds) => {
    const rows = await loadTargetSystemsByTenant(context.db, tenantIds);
    return tenantIds.map((id) => rows.find((row) => row.tenantId === id) ?? new Error(`Tenant ${id} has no target system.`));
  });

const objectCountLoader = (context: Context) =>
  new DataLoader<number, TenantObjectCounts>(async (tenantIds) => {
    const counts = await countObjectsByTenant(context.db, tenantIds);
    return tenantIds.map((id) => counts.get(id) ?? { objectCount: 0, outstandingCount: 0 });
  });

const accountCountLoader = (context: Context) =>
  new DataLoader<number, Record<LinkState, number>>(async (tenantIds) => {
    const counts = await countAccountsByTenant(context.db, tenantIds);
    return tenantIds.map((id) => counts.get(id) ?? { NOT_LINKED: 0, LINKED: 0, LINKED_CONFIGURED: 0 });
  });

const AccountCounts = builder.objectRef<Record<LinkState, number>>('AccountCounts').implement({
  description: "A tenant's accounts (mail users and mail contacts) by link state.",
  fields: (t) => ({
    notLinked: t.int({ description: 'Accounts without an identity.', resolve: (counts) => counts.NOT_LINKED }),
    linked: t.int({ description: 'Accounts with an identity but no account definition ("linked but not configured").', resolve: (counts) => counts.LINKED }),
    linkedConfigured: t.int({ description: 'Accounts with an identity, an account definition and a manage level.', resolve: (counts) => counts.LINKED_CONFIGURED }),
  }),
});

builder.objectType(Tenant, {
  description: 'A Microsoft Entra ID tenant whose Exchange Online organization is synchronized.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Unique name used on the command line, e.g. "Contoso".' }),
    primaryDomain: t.exposeString('primaryDomain', { description: 'Primary domain of the tenant, e.g. `contoso.com`.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the tenant was registered.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the tenant or its connector settings last changed.' }),
    version: t.exposeInt('version', {
      description: 'Increases with every change. Send it with `updateTenant`; a change based on an older version is rejected with CONFLICT.',
    }),
    targetSystem: t.field({
      type: TargetSystem,
      description: "The tenant's Exchange Online target system with its connector settings (never the client secret).",
      resolve: (row, _args, context) => loaderFor(context, 'tenantTargetSystem', targetSystemLoader).load(row.id),
    }),
    objectCount: t.int({
      description: 'Synchronized objects of the tenant, memberships included. A tenant can be deleted only at 0.',
      resolve: async (row, _args, context) => (await loaderFor(context, 'tenantObjectCounts', objectCountLoader).load(row.id)).objectCount,
    }),
    outstandingCount: t.int({
      description: 'Outstanding objects of the tenant.',
      resolve: async (row, _args, context) => (await loaderFor(context, 'tenantObjectCounts', objectCountLoader).load(row.id)).outstandingCount,
    }),
    accountCounts: t.field({
      type: AccountCounts,
      description: 'Accounts of the tenant by link state.',
      resolve: (row, _args, context) => loaderFor(context, 'tenantAccountCounts', accountCountLoader).load(row.id),
    }),
  }),
});

export const TenantConnection = builder.connectionObject(
  { type: Tenant, name: 'TenantConnection', description: 'A page of tenants.' },
  { name: 'TenantEdge', description: 'One Tenant with its cursor.' },
);

builder.queryField('tenants', (t) =>
  t.connection(
    {
      description: 'Registered tenants, by name. A token limited to some tenants sees only those.',
      type: Tenant,
      authScopes: { viewer: true },
      resolve: async (_root, args, context) => {
        const page = parsePageArgs(args, 2);
        const scope = tenantScope(context.actor);
        const rows = await listTenants(context.db, page, scope);
        return toConnection(rows, page, (row) => [row.name, row.id], () => countTenants(context.db, scope));
      },
    },
    TenantConnection,
  ),
);

/** Shared by the tenant inputs: a name and a domain in the forms the rest of the product expects. */
export const tenantNameSchema = z.string().trim().min(1).max(100);
export const domainSchema = z.string().regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i, 'expected a domain name such as contoso.com');
