/**
 * Rework in the demo data set: one finished bulk operation and one failed provisioning, so a new
 * user finds both in `bulkOperations` and on the object. The story is an everyday one: someone
 * re-created the contact Ty Carlson by hand in Exchange Online, so publishing the outstanding
 * contact fails on its name. Both run through the real engine and the simulated connector.
 */
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { ConnectorError } from '../connectors/types.ts';
import { objects, syncTables, tenants } from '../db/schema.ts';
import { operatingSystemActor } from '../domain/actor.ts';
import { loadBulkOperation } from '../domain/bulk-operations/queries.ts';
import { isFinalBulkOperationStatus } from '../domain/bulk-operations/types.ts';
import { connectorForTargetSystem } from '../domain/connectors.ts';
import { submitRework } from '../domain/rework/submit.ts';
import type { Services } from '../graphql/context.ts';

const CONTACT_ADDRESS = 'ty.carlson@tailspintoys.com';

/** How long seeding waits for the job worker to publish the contact. */
const WAIT_MS = 30_000;

/** Publishes the contact in a bulk operation and waits until its provisioning has failed. */
export async function seedDemoRework(services: Services, tenantName: string): Promise<void> {
  const { db } = services;
  const [contact] = await db
    .select({ id: objects.id, targetSystemId: objects.targetSystemId })
    .from(objects)
    .innerJoin(tenants, eq(tenants.id, objects.tenantId))
    .innerJoin(syncTables, eq(syncTables.id, objects.syncTableId))
    .where(
      and(
        eq(tenants.name, tenantName),
        eq(syncTables.name, 'MailContact'),
        isNotNull(objects.outstandingSince),
        sql`${objects.properties} ->> 'PrimarySmtpAddress' = ${CONTACT_ADDRESS}`,
      ),
    );
  if (!contact) throw new Error(`The demo snapshots no longer leave the contact ${CONTACT_ADDRESS} outstanding; update src/demo/rework.ts.`);

  // The contact re-created by hand: the simulated organization now holds a recipient of that name.
  const connector = await connectorForTargetSystem({ db, config: services.config }, contact.targetSystemId);
  try {
    await connector.provision({
      tableName: 'MailContact',
      objectKey: 'demo-recreated-by-hand',
      properties: { Name: 'Ty Carlson', DisplayName: 'Ty Carlson', ExternalEmailAddress: 'SMTP:tcarlson@tailspintoys.com' },
    });
  } catch (error) {
    // Seeded before in this process: the recipient exists already, which is all the demo needs.
    if (!(error instanceof ConnectorError)) throw error;
  }

  const { bulkOperation } = await submitRework(services, operatingSystemActor(), {
    method: 'PUBLISH',
    objectIds: [contact.id],
    processing: 'BULK',
    continueOnError: false,
    dryRun: false,
  });
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const operation = await loadBulkOperation(db, bulkOperation!.id);
    const [object] = await db.select({ status: objects.provisioningStatus }).from(objects).where(eq(objects.id, contact.id));
    if (operation && isFinalBulkOperationStatus(operation.status) && object?.status !== 'PENDING') return;
    if (Date.now() > deadline) throw new Error(`The demo publish of ${CONTACT_ADDRESS} did not finish within ${WAIT_MS / 1000} s.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
