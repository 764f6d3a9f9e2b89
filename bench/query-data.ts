/**
 * Generates the benchmark's objects with set-based SQL (`generate_series`), straight into a fresh,
 * migrated database. There are ten tenants, recipients (60 % mail users, 20 % mail contacts, 20 %
 * distribution groups) and memberships between groups and users of the same tenant. Every tenth
 * object is outstanding, so 1,000,000 objects contain 100,000 outstanding ones. Ids are given
 * explicitly (`overriding system value`) so memberships can point at their sides by arithmetic.
 */
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../src/db/client.ts';
import { syncTables, targetSystemTypeTables } from '../src/db/schema.ts';
import { queryRows } from '../src/db/sql.ts';

const TENANTS = 10;

export interface GeneratedData {
  objects: number;
  outstanding: number;
  logEntries: number;
}

/** Inserts `total` objects (a multiple of 20,000); 65 % recipients, 35 % memberships. */
export async function generateObjects(db: Database, total: number): Promise<GeneratedData> {
  const recipients = Math.round(total * 0.65);
  const memberships = total - recipients;
  const blocks = recipients / 20;
  if (!Number.isInteger(blocks) || blocks % TENANTS !== 0) throw new Error(`generateObjects: ${total} is not a multiple of 20,000`);

  const table = async (name: string) => (await db.select().from(syncTables).where(eq(syncTables.name, name)))[0]!.id;
  const [mailUser, mailContact, group, member] = [await table('MailUser'), await table('MailContact'), await table('DistributionGroup'), await table('DistributionGroupMember')];
  for (const id of [mailUser, group, member]) {
    await db.update(targetSystemTypeTables).set({ publishingEnabled: true }).where(eq(targetSystemTypeTables.syncTableId, id));
  }

  await db.execute(sql`insert into tenants (name, primary_domain)
    select 'Bench ' || t, 'bench' || t || '.example.com' from generate_series(1, ${TENANTS}) t`);
  // Every fifth tenant's connector has no write access, so NO_WRITE_ACCESS shows up in the constraints.
  await db.execute(sql`insert into target_systems (tenant_id, target_system_type_id, name, write_access)
    select tenants.id, types.id, 'Exchange Online (' || tenants.name || ')', tenants.id % 5 <> 0
    from tenants cross join target_system_types types where types.name = 'Exchange Online' order by tenants.id`);
  const [ids] = await queryRows<{ low: number | string; high: number | string }>(db, sql`select min(id) as low, max(id) as high from target_systems`);
  if (Number(ids!.low) !== 1 || Number(ids!.high) !== TENANTS) throw new Error('generateObjects needs a fresh database: target system ids must be 1..10');

  // Recipient i: kind by (i - 1) % 20, tenant (and target system) by its block of 20 ids.
  await db.execute(sql`
    insert into objects (id, tenant_id, target_system_id, sync_table_id, key, display_name, properties,
                         outstanding_since, outstanding_cause, last_log_at, last_log_method, log_purged_at)
    overriding system value
    select i, t, t, case when k < 12 then ${mailUser}::bigint when k < 16 then ${mailContact}::bigint else ${group}::bigint end,
           'r-' || i, name,
           jsonb_build_object('Guid', 'r-' || i, 'DisplayName', name, 'Alias', 'a' || i, 'PrimarySmtpAddress', 'a' || i || '@bench.example.com',
                              'RecipientTypeDetails', case when k < 12 then 'MailUser' when k < 16 then 'MailContact' else 'MailUniversalDistributionGroup' end),
           marked, case when marked is not null then 'MISSING' end,
           case when marked is null then now() - interval '30 days' when i % 7 <> 0 then marked end,
           case when marked is null then 'INSERT' when i % 7 <> 0 then 'MARK_OUTSTANDING' end,
           case when marked is not null and i % 7 = 0 then now() - interval '1 day' end
    from (select i, (i - 1) % 20 as k, ((i - 1) / 20) % ${TENANTS} + 1 as t,
                 (array['Ann','Bob','Carl','Dana','Eve','Frank','Gina','Hugo'])[1 + i % 8] || ' ' ||
                 (array['Lee','Stone','Young','Ross','Adams','Olsen','Meyer','Berg'])[1 + (i / 8) % 8] || ' ' || i as name,
                 case when i % 10 = 3 then now() - (i % 20000) * interval '1 minute' end as marked
          from generate_series(1, ${recipients}) i) s`);

  // Membership j: a group of block b and a mail user of a block with the same tenant (b mod 10).
  await db.execute(sql`
    insert into objects (id, tenant_id, target_system_id, sync_table_id, key, display_name, properties,
                         container_id, member_id, is_indirect, outstanding_since, outstanding_cause)
    overriding system value
    select ${recipients} + j + 1, b % ${TENANTS} + 1, b % ${TENANTS} + 1, ${member}::bigint,
           'r-' || container || ':r-' || member || ':' || j, 'Member ' || member || ' of group ' || container,
           jsonb_build_object('Guid', 'r-' || member, 'GroupGuid', 'r-' || container),
           container, member, j % 1000 = 999,
           case when j % 10 = 3 then now() - (j % 20000) * interval '1 minute' end,
           case when j % 10 <> 3 then null when container % 10 = 3 then 'CONTAINER_DELETED' else 'REMOVED_FROM_MEMBER_LIST' end
    from (select j, b, 20 * b + 16 + j % 4 + 1 as container,
                 20 * ((b + 10 * ((j / 4) % 100)) % ${blocks}) + (j * 3) % 12 + 1 as member
          from (select j, (j * 7) % ${blocks} as b from generate_series(0, ${memberships - 1}) j) s) m`);

  await db.execute(sql`select setval(pg_get_serial_sequence('objects', 'id'), ${total})`);
  await db.execute(sql`
    insert into log_entries (object_id, method, message, created_at)
    select id, 'MARK_OUTSTANDING', 'Missing from the snapshot; marked outstanding.', last_log_at
    from objects where last_log_method = 'MARK_OUTSTANDING'`);
  // A loaded database is vacuumed before it serves, as autovacuum would do on PostgreSQL; the
  // visibility map lets counts use index-only scans.
  await db.execute(sql`vacuum analyze`);

  const [counts] = await queryRows<{ objects: number | string; outstanding: number | string; entries: number | string }>(
    db,
    sql`select (select count(*) from objects) as objects, (select count(*) from objects where outstanding_since is not null) as outstanding,
               (select count(*) from log_entries) as entries`,
  );
  return { objects: Number(counts!.objects), outstanding: Number(counts!.outstanding), logEntries: Number(counts!.entries) };
}
