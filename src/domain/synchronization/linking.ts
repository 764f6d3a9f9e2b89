/**
 * Linking (rule 12): each mail user and mail contact the run inserted gets a new identity, named
 * from FirstName and LastName, else from its display name. The tenant's initial account
 * definition, if it has one, then makes the account LINKED_CONFIGURED; otherwise it stays LINKED.
 */
import { sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.ts';
import { queryRows } from '../../db/sql.ts';
import { configureNewAccounts } from '../initial-account-definition.ts';
import { tableById, type RunCounts, type RunScope } from './scope.ts';

/** Creates the identities whose ids the run gave its new accounts when it inserted them. */
export async function linkNewAccounts(tx: Transaction, scope: RunScope, counts: RunCounts): Promise<void> {
  const linked = await queryRows<{ id: number | string; sync_table_id: number | string }>(
    tx,
    sql`with accounts as (
          select o.id, o.sync_table_id, o.identity_id, o.display_name,
                 o.properties ->> 'FirstName' as first_name, o.properties ->> 'LastName' as last_name
          from sync_plan p
          join objects o on o.id = p.object_id
          where p.action = 'INSERT' and o.identity_id is not null),
        created as (
          insert into identities (id, tenant_id, first_name, last_name, display_name, created_at)
          overriding system value
          select identity_id, ${scope.tenantId}::bigint, first_name, last_name,
                 coalesce(nullif(trim(concat_ws(' ', first_name, last_name)), ''), display_name), ${scope.at.toISOString()}::timestamptz
          from accounts)
        select id, sync_table_id from accounts`,
  );
  for (const row of linked) counts.add(tableById(scope, Number(row.sync_table_id)).name, 'identitiesCreated', 1);

  // The one call point for account definitions and inheritance: the tenant's initial account
  // definition and the memberships it passes on are that module's rules, not the run's.
  const configured = await configureNewAccounts(
    tx,
    scope.tenantId,
    linked.map((row) => Number(row.id)),
  );
  const memberList = scope.tables.find((table) => table.kind === 'ASSIGNMENT');
  if (configured.inheritance && memberList) counts.add(memberList.name, 'inheritedMemberships', configured.inheritance.added);
}
