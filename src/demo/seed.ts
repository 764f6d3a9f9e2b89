/**
 * The demo data set: fictitious organizations only (contoso.com, adatum.com, tailspintoys.com).
 * Loaded into an empty database so a new user can try every feature at once.
 */
import { count } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { tenants } from '../db/schema.ts';
import { createTenant } from '../domain/tenants.ts';

export const DEMO_TENANT = 'Contoso';

/** Loads the demo data unless the database already holds a tenant. Returns whether it loaded. */
export async function seedDemoData(db: Executor): Promise<boolean> {
  const [existing] = await db.select({ value: count() }).from(tenants);
  if ((existing?.value ?? 0) > 0) return false;

  await db.transaction(async (tx) => {
    await createTenant(tx, { name: DEMO_TENANT, primaryDomain: 'contoso.com' });
  });
  return true;
}
