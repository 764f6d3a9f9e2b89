/**
 * The accounts query and its filter: mail users and mail contacts by tenant, link state, account
 * definition, manage level, table and outstanding mark. "Linked but not configured" accounts of a
 * tenant are `accounts(filter: { tenant, linkState: LINKED })`.
 */
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { parseId } from './global-ids.ts';
import { LinkState } from './link-state.ts';
import { parsePageArgs, toConnection } from './pagination.ts';
import { withQueryErrors } from './query-errors.ts';
import { TargetSystemObject, TargetSystemObjectConnection } from './target-system-objects.ts';
import { assertAccountFilterIdsExist, countAccounts, listAccounts, type AccountListFilter } from '../domain/accounts.ts';

export const AccountFilter = builder.inputType('AccountFilter', {
  description: 'Selects accounts (mail users and mail contacts). Every field narrows the selection; an absent field does not.',
  fields: (t) => ({
    tenant: t.id({ required: false, description: 'Only accounts of this tenant.' }),
    linkState: t.field({ type: LinkState, required: false, description: 'Only accounts in this link state.' }),
    accountDefinition: t.id({ required: false, description: 'Only accounts that have this account definition.' }),
    manageLevel: t.id({ required: false, description: 'Only accounts that have this manage level.' }),
    table: t.id({ required: false, description: 'Only accounts of this synchronization table (MailUser or MailContact).' }),
    outstanding: t.boolean({ required: false, description: 'true: only outstanding accounts; false: only accounts that are not outstanding.' }),
  }),
});

export interface AccountFilterInput {
  tenant?: string | number | null;
  linkState?: 'NOT_LINKED' | 'LINKED' | 'LINKED_CONFIGURED' | null;
  accountDefinition?: string | number | null;
  manageLevel?: string | number | null;
  table?: string | number | null;
  outstanding?: boolean | null;
}

/**
 * Parses the GraphQL filter into the domain filter, limited to the tenants the actor may see.
 * `argument` names the filter in error messages, e.g. `filter` or `input.filter`.
 */
export function parseAccountFilter(input: AccountFilterInput | null | undefined, context: Context, argument = 'filter'): AccountListFilter {
  const id = (value: string | number | null | undefined, typename: string, field: string) =>
    value == null ? null : parseId(String(value), [typename], `${argument}.${field}`);
  return {
    tenantId: id(input?.tenant, 'Tenant', 'tenant'),
    linkState: input?.linkState ?? null,
    accountDefinitionId: id(input?.accountDefinition, 'AccountDefinition', 'accountDefinition'),
    manageLevelId: id(input?.manageLevel, 'ManageLevel', 'manageLevel'),
    syncTableId: id(input?.table, 'SyncTable', 'table'),
    outstanding: input?.outstanding ?? null,
    visibleTenantIds: context.actor.tenantIds,
  };
}

builder.queryField('accounts', (t) =>
  t.connection(
    {
      description: 'Accounts (mail users and mail contacts), oldest first.',
      type: TargetSystemObject,
      args: { filter: t.arg({ type: AccountFilter, required: false, description: 'Which accounts to list; all when absent.' }) },
      resolve: async (_root, args, context) => {
        const page = parsePageArgs(args, 1);
        const filter = parseAccountFilter(args.filter, context);
        await withQueryErrors(() => assertAccountFilterIdsExist(context.db, filter));
        const rows = await listAccounts(context.db, filter, page);
        return toConnection(rows, page, (row) => [row.id], () => countAccounts(context.db, filter));
      },
    },
    TargetSystemObjectConnection,
  ),
);
