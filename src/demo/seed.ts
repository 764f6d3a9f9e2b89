/**
 * The demo data set: fictitious organizations only (contoso.com, adatum.com, tailspintoys.com and
 * the M365x214355 demo tenant's names). It is loaded into an empty database the way a user would
 * build it. The tenant is registered, then two real synchronization runs import the bundled
 * snapshots in demo/snapshots/contoso: a full export, then a later one in which some recipients, a
 * group and some memberships vanished. So every kind of outstanding object and every no-log reason
 * exists.
 */
import { fileURLToPath } from 'node:url';
import { count, sql } from 'drizzle-orm';
import { tenants } from '../db/schema.ts';
import { operatingSystemActor } from '../domain/actor.ts';
import { purgeLogEntries } from '../domain/log-retention.ts';
import { createSynchronizationRun } from '../domain/synchronization/start.ts';
import { executeSynchronizationRun } from '../domain/synchronization/run.ts';
import { loadSynchronizationRuns } from '../domain/synchronization-runs.ts';
import { createTenant } from '../domain/tenants.ts';
import type { Services } from '../graphql/context.ts';
import { seedDemoSetUp } from './account-definitions.ts';
import { seedDemoRework } from './rework.ts';

export const DEMO_TENANT = 'Contoso';

/** The bundled snapshots, also usable with `npx syncrework sync --tenant Contoso demo/snapshots/contoso/1-initial`. */
export const DEMO_SNAPSHOTS = fileURLToPath(new URL('../../demo/snapshots/contoso/', import.meta.url));

/** A contact that vanished in the later export; the demo ages its log past retention to show LOG_DELETED. */
const CONTACT_WITH_PURGED_LOG = 'hao.chen@tailspintoys.com';

/** Loads the demo data unless the database already contains a tenant. Returns whether it loaded. */
export async function seedDemoData(services: Services): Promise<boolean> {
  const { db } = services;
  const [existing] = await db.select({ value: count() }).from(tenants);
  if ((existing?.value ?? 0) > 0) return false;

  const actor = operatingSystemActor();
  await createTenant(db, { name: DEMO_TENANT, primaryDomain: 'contoso.com' }, { actor });
  await synchronizeNow(services, `${DEMO_SNAPSHOTS}1-initial`);
  // Account definitions, publishing flags and a second tenant; the later run then links its new
  // contact with Contoso's initial account definition.
  await seedDemoSetUp(services, DEMO_TENANT);
  await synchronizeNow(services, `${DEMO_SNAPSHOTS}2-later`);

  // Log retention at work: this contact's entries are aged past LOG_RETENTION_DAYS and purged,
  // so it is outstanding without a log entry (LOG_DELETED).
  const days = services.config.LOG_RETENTION_DAYS;
  await db.execute(sql`
    update log_entries set created_at = created_at - make_interval(days => ${days + 1})
    where object_id in (select id from objects where properties ->> 'PrimarySmtpAddress' = ${CONTACT_WITH_PURGED_LOG})`);
  await purgeLogEntries(db, days);
  await seedDemoRework(services, DEMO_TENANT);
  return true;
}

/** Runs one synchronization in this process and fails loudly if it does not succeed. */
async function synchronizeNow(services: Services, folder: string): Promise<void> {
  const run = await createSynchronizationRun(services.db, services, operatingSystemActor(), { tenantName: DEMO_TENANT, paths: [folder] }, { enqueue: false });
  await executeSynchronizationRun(services, run.id, new AbortController().signal);
  const [done] = await loadSynchronizationRuns(services.db, [run.id]);
  if (done?.status !== 'SUCCEEDED') throw new Error(`The demo synchronization of ${folder} ended ${done?.status}: ${done?.statusReason}`);
}
