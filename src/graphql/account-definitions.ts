/**
 * Account definitions: the rule set that manages a tenant's accounts, with the manage levels it
 * allows and the distribution groups it passes on. Also the tenant's account definitions.
 */
import DataLoader from 'dataloader';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { notFound, parseId } from './global-ids.ts';
import { loaderFor } from './loaders.ts';
import { integerNodeId } from './node-ids.ts';
import { ManageLevel } from './manage-levels.ts';
import { isVisible, objectLoader } from './object-loaders.ts';
import { parsePageArgs, toConnection } from './pagination.ts';
import { TargetSystemObject } from './target-system-objects.ts';
import { TargetSystemType } from './target-system-types.ts';
import { Tenant } from './tenants.ts';
import {
  countAccountDefinitions,
  countAccountsByDefinition,
  listAccountDefinitions,
  loadAccountDefinitions,
  loadAccountDefinitionsOfTenants,
  loadAllowedManageLevels,
  loadDefinitionGroups,
} from '../domain/account-definition-reads.ts';
import type { AccountDefinitionRow } from '../domain/account-definitions.ts';
import type { ObjectRow } from '../domain/object-reads.ts';

export const AccountDefinition = builder.loadableNodeRef<AccountDefinitionRow, number, number>('AccountDefinition', {
  id: integerNodeId,
  load: async (ids, context) => {
    const rows = await loadAccountDefinitions(context.db, ids);
    const byId = new Map(rows.filter((row) => isVisible(context, row.tenantId)).map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? notFound('AccountDefinition', id));
  },
});

/** A DataLoader from account definition id to a list, built from one batched read. */
const listLoader = (read: (context: Context, ids: readonly number[]) => Promise<Map<number, number[]>>) => (context: Context) =>
  new DataLoader<number, number[]>(async (ids) => {
    const lists = await read(context, ids);
    return ids.map((id) => lists.get(id) ?? []);
  });
const allowedLevelsLoader = listLoader((context, ids) => loadAllowedManageLevels(context.db, ids));
const groupsLoader = listLoader((context, ids) => loadDefinitionGroups(context.db, ids));

const accountCountLoader = (context: Context) =>
  new DataLoader<number, number>(async (ids) => {
    const counts = await countAccountsByDefinition(context.db, ids);
    return ids.map((id) => counts.get(id) ?? 0);
  });

const tenantDefinitionsLoader = (context: Context) =>
  new DataLoader<number, AccountDefinitionRow[]>(async (tenantIds) => {
    const rows = await loadAccountDefinitionsOfTenants(context.db, tenantIds);
    return tenantIds.map((id) => rows.filter((row) => row.tenantId === id));
  });

builder.objectType(AccountDefinition, {
  description: "The rule set that manages a tenant's accounts of one target system type: which manage levels apply and which groups it passes on.",
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Name, unique within the tenant, e.g. "Exchange Online mail users".' }),
    description: t.exposeString('description', { nullable: true, description: 'What the definition is for.' }),
    tenant: t.field({ type: Tenant, description: 'The tenant it belongs to; only that tenant\'s accounts can get it.', resolve: (row) => row.tenantId }),
    targetSystemType: t.field({ type: TargetSystemType, description: 'The target system type whose accounts it manages.', resolve: (row) => row.targetSystemTypeId }),
    allowedManageLevels: t.field({
      type: [ManageLevel],
      description: 'Manage levels an account with this definition may have.',
      resolve: (row, _args, context) => loaderFor(context, 'definitionLevels', allowedLevelsLoader).load(row.id),
    }),
    defaultManageLevel: t.field({
      type: ManageLevel,
      description: 'Manage level given with the definition when none is named, e.g. to new accounts of a synchronization run.',
      resolve: (row) => row.defaultManageLevelId,
    }),
    groups: t.field({
      type: [TargetSystemObject],
      description: 'Distribution groups passed on to its accounts at a manage level that inherits groups, as indirect memberships.',
      resolve: async (row, _args, context) => {
        const ids = await loaderFor(context, 'definitionGroups', groupsLoader).load(row.id);
        const groups = await objectLoader(context).loadMany(ids);
        return groups.filter((group): group is ObjectRow => group !== null && !(group instanceof Error));
      },
    }),
    isInitial: t.boolean({
      description: "True when it is its tenant's initial account definition, which synchronization runs give to new accounts.",
      resolve: async (row, _args, context) => (await Tenant.getDataloader(context).load(row.tenantId)).initialAccountDefinitionId === row.id,
    }),
    accountCount: t.int({
      description: 'Accounts that have this definition. It can be deleted only at 0.',
      resolve: (row, _args, context) => loaderFor(context, 'definitionAccountCount', accountCountLoader).load(row.id),
    }),
    version: t.exposeInt('version', { description: 'Increases with every change. Send it with `updateAccountDefinition`; an older one gets CONFLICT.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed.' }),
  }),
});

builder.objectFields(Tenant, (t) => ({
  accountDefinitions: t.field({
    type: [AccountDefinition],
    description: "The tenant's account definitions, by name.",
    resolve: (row, _args, context) => loaderFor(context, 'tenantDefinitions', tenantDefinitionsLoader).load(row.id),
  }),
  initialAccountDefinition: t.field({
    type: AccountDefinition,
    nullable: true,
    description: 'The account definition synchronization runs give to new accounts, with its default manage level; null leaves them LINKED.',
    resolve: (row) => row.initialAccountDefinitionId,
  }),
}));

export const AccountDefinitionConnection = builder.connectionObject(
  { type: AccountDefinition, name: 'AccountDefinitionConnection', description: 'A page of account definitions.' },
  { name: 'AccountDefinitionEdge', description: 'One AccountDefinition with its cursor.' },
);

builder.queryField('accountDefinitions', (t) =>
  t.connection(
    {
      description: 'Account definitions, by name.',
      type: AccountDefinition,
      authScopes: { viewer: true },
      args: { tenant: t.arg.id({ required: false, description: 'Only the account definitions of this tenant.' }) },
      resolve: async (_root, args, context) => {
        const page = parsePageArgs(args, 2);
        const filter = {
          tenantId: args.tenant == null ? null : parseId(String(args.tenant), ['Tenant'], 'tenant'),
          visibleTenantIds: context.actor.tenantIds,
        };
        const rows = await listAccountDefinitions(context.db, filter, page);
        return toConnection(rows, page, (row) => [row.name, row.id], () => countAccountDefinitions(context.db, filter));
      },
    },
    AccountDefinitionConnection,
  ),
);
