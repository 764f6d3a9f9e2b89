/**
 * Identities: the people behind accounts. Synchronization creates one for each new mail user and
 * mail contact.
 */
import DataLoader from 'dataloader';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { notFound, parseId } from './global-ids.ts';
import { loaderFor } from './loaders.ts';
import { integerNodeId } from './node-ids.ts';
import { isVisible } from './object-loaders.ts';
import { parsePageArgs, toConnection } from './pagination.ts';
import { TargetSystemObject } from './target-system-objects.ts';
import { Tenant } from './tenants.ts';
import { countIdentities, listIdentities, loadAccountsOfIdentities, loadIdentities, type IdentityRow } from '../domain/accounts.ts';
import type { ObjectRow } from '../domain/object-reads.ts';

export const Identity = builder.loadableNodeRef<IdentityRow, number, number>('Identity', {
  id: integerNodeId,
  load: async (ids, context) => {
    const rows = await loadIdentities(context.db, ids);
    const byId = new Map(rows.filter((row) => isVisible(context, row.tenantId)).map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? notFound('Identity', id));
  },
});

const accountsLoader = (context: Context) =>
  new DataLoader<number, ObjectRow[]>(async (identityIds) => {
    const accounts = await loadAccountsOfIdentities(context.db, identityIds);
    return identityIds.map((id) => accounts.get(id) ?? []);
  });

builder.objectType(Identity, {
  description: 'A person behind accounts. Synchronization creates one for each new mail user and mail contact.',
  fields: (t) => ({
    displayName: t.exposeString('displayName', { description: 'Name shown to people.' }),
    firstName: t.exposeString('firstName', { nullable: true, description: 'Given name, from the first account it was created for.' }),
    lastName: t.exposeString('lastName', { nullable: true, description: 'Surname, from the first account it was created for.' }),
    tenant: t.field({ type: Tenant, description: 'The tenant the identity belongs to.', resolve: (row) => row.tenantId }),
    accounts: t.field({
      type: [TargetSystemObject],
      description: 'The mail users and mail contacts linked to this identity, oldest first.',
      resolve: (row, _args, context) => loaderFor(context, 'identityAccounts', accountsLoader).load(row.id),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the identity was created.' }),
  }),
});

const IdentityConnection = builder.connectionObject(
  { type: Identity, name: 'IdentityConnection', description: 'A page of identities.' },
  { name: 'IdentityEdge', description: 'An identity and its cursor.' },
);

builder.queryField('identities', (t) =>
  t.connection(
    {
      description: 'Identities, oldest first.',
      type: Identity,
      args: { tenant: t.arg.id({ required: false, description: 'Only identities of this tenant.' }) },
      resolve: async (_root, args, context) => {
        const page = parsePageArgs(args, 1);
        const filter = {
          tenantId: args.tenant == null ? null : parseId(String(args.tenant), ['Tenant'], 'tenant'),
          visibleTenantIds: context.actor.tenantIds,
        };
        const rows = await listIdentities(context.db, filter, page);
        return toConnection(rows, page, (row) => [row.id], () => countIdentities(context.db, filter));
      },
    },
    IdentityConnection,
  ),
);