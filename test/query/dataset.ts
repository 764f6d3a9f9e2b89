/**
 * A small set of outstanding objects covering every filter of the outstanding list: two tenants,
 * every built-in table, a custom table, objects with and without log entries, marked at known
 * times. Tests compare query results with what they compute from this list.
 */
import type { Database } from '../../src/db/client.ts';
import {
  globalId,
  insertCustomTable,
  insertLogEntry,
  insertMembership,
  insertObject,
  insertTenant,
  type ObjectFixture,
  type ObjectRow,
  type SyncTableRow,
  type TenantFixture,
} from '../support/fixtures.ts';

export interface SeededObject {
  row: ObjectRow;
  id: string;
  typename: string;
  table: string;
  tenant: 'contoso' | 'fabrikam';
  kind: string;
  markedAt: Date | null;
  lastLogAt: Date | null;
  lastMethod: string | null;
}

export interface Dataset {
  contoso: TenantFixture;
  fabrikam: TenantFixture;
  custom: SyncTableRow;
  objects: SeededObject[];
  /** The outstanding ones. */
  outstanding: SeededObject[];
  byName: (displayName: string) => SeededObject;
}

export const day = (n: number) => new Date(Date.UTC(2026, 0, n, 8, 0, 0));

export async function seedDataset(db: Database): Promise<Dataset> {
  const contoso = await insertTenant(db, { name: `Contoso-${Math.random().toString(36).slice(2, 8)}` });
  const fabrikam = await insertTenant(db, { name: `Fabrikam-${Math.random().toString(36).slice(2, 8)}` });
  const custom = await insertCustomTable(db, { name: `Widgets${Math.random().toString(36).slice(2, 8)}` });
  const objects: SeededObject[] = [];

  const add = async (
    owner: TenantFixture,
    table: string | SyncTableRow,
    displayName: string,
    marked: Date | null,
    extra: Partial<ObjectFixture> = {},
  ) => {
    const row = await insertObject(db, owner, { table, displayName, outstanding: marked ?? false, ...extra });
    return remember(row, owner, table);
  };
  const remember = (row: ObjectRow, owner: TenantFixture, table: string | SyncTableRow) => {
    const tableName = typeof table === 'string' ? table : table.name;
    const kind = typeof table === 'string' ? kindOf(table) : 'CUSTOM';
    const seeded: SeededObject = {
      row,
      id: globalId(typenameOf(kind), row.id),
      typename: typenameOf(kind),
      table: tableName,
      tenant: owner === contoso ? 'contoso' : 'fabrikam',
      kind,
      markedAt: row.outstandingSince,
      lastLogAt: null,
      lastMethod: null,
    };
    objects.push(seeded);
    return seeded;
  };
  const log = async (seeded: SeededObject, method: 'INSERT' | 'UPDATE' | 'MARK_OUTSTANDING', at: Date) => {
    await insertLogEntry(db, seeded.row, { method, at });
    seeded.lastLogAt = at;
    seeded.lastMethod = method;
  };

  const ann = await add(contoso, 'MailUser', 'Ann Lee', day(1));
  await log(ann, 'INSERT', day(1));
  await log(ann, 'MARK_OUTSTANDING', day(2));
  await add(contoso, 'MailUser', 'bob Stone', day(3), { logPurgedAt: day(20) });
  const carl = await add(contoso, 'MailUser', 'Carl Young', null);
  await log(carl, 'INSERT', day(1));
  const dana = await add(contoso, 'MailContact', 'Dana Ross-Müller', day(4));
  await log(dana, 'UPDATE', day(3));
  const sales = await add(contoso, 'DistributionGroup', 'Sales Team', day(5));
  await log(sales, 'MARK_OUTSTANDING', day(5));
  const marketing = await add(contoso, 'DistributionGroup', 'Marketing', null);
  const inSales = await insertMembership(db, contoso, sales.row, carl.row, { outstanding: day(5), cause: 'CONTAINER_DELETED' });
  remember(inSales, contoso, 'DistributionGroupMember');
  const inMarketing = await insertMembership(db, contoso, marketing.row, ann.row, { outstanding: day(6), cause: 'REMOVED_FROM_MEMBER_LIST' });
  remember(inMarketing, contoso, 'DistributionGroupMember');
  const widget = await add(contoso, custom, 'widget Alpha', day(7));
  await log(widget, 'MARK_OUTSTANDING', day(7));
  const eve = await add(fabrikam, 'MailUser', 'Eve Adams', day(2));
  await log(eve, 'MARK_OUTSTANDING', day(8));
  await add(fabrikam, 'MailContact', 'Frank Olsen', day(9));

  const outstanding = objects.filter((object) => object.markedAt !== null);
  const byName = (displayName: string) => {
    const found = objects.find((object) => object.row.displayName === displayName);
    if (!found) throw new Error(`dataset: no object named ${displayName}`);
    return found;
  };
  return { contoso, fabrikam, custom, objects, outstanding, byName };
}

function kindOf(table: string): string {
  return { MailUser: 'MAIL_USER', MailContact: 'MAIL_CONTACT', DistributionGroup: 'DISTRIBUTION_GROUP', DistributionGroupMember: 'MEMBERSHIP' }[table] ?? 'CUSTOM';
}

function typenameOf(kind: string): string {
  return { MAIL_USER: 'MailUser', MAIL_CONTACT: 'MailContact', DISTRIBUTION_GROUP: 'DistributionGroup', MEMBERSHIP: 'Membership' }[kind] ?? 'CustomObject';
}
