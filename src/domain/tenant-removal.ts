/**
 * Removal of a tenant. Only an empty tenant is removed: one that still contains synchronized objects
 * is rejected, naming the count, so no object becomes unreachable by accident.
 */
import { count, eq } from 'drizzle-orm';
import type { Transaction } from '../db/client.ts';
import {
  accountDefinitions,
  identities,
  objects,
  synchronizationRuns,
  targetSystems,
  tenantClaims,
  tenants,
  unresolvedReferences,
} from '../db/schema.ts';
import { DomainError } from './errors.ts';

/** Deletes the tenant and everything that belongs to it; the caller holds the tenant row's lock. */
export async function removeTenantData(tx: Transaction, tenant: { id: number; name: string }): Promise<void> {
  const [held] = await tx.select({ value: count() }).from(objects).where(eq(objects.tenantId, tenant.id));
  const objectCount = held?.value ?? 0;
  if (objectCount > 0) {
    throw new DomainError(
      'TENANT_NOT_EMPTY',
      `Cannot delete tenant ${tenant.name}: it still holds ${objectCount} synchronized object(s). Remove them first (a forced synchronization run with empty files marks them outstanding, a DELETE rework removes them).`,
      ['input', 'id'],
      { objectCount },
    );
  }

  const [claim] = await tx.select().from(tenantClaims).where(eq(tenantClaims.tenantId, tenant.id));
  if (claim) {
    throw new DomainError(
      'BUSY',
      `Cannot delete tenant ${tenant.name}: a ${claim.holderKind === 'SYNCHRONIZATION_RUN' ? 'synchronization run' : 'bulk operation'} (id ${claim.holderId}) is working on it. Wait until it finishes.`,
      ['input', 'id'],
    );
  }

  await tx.delete(unresolvedReferences).where(eq(unresolvedReferences.tenantId, tenant.id));
  await tx.delete(synchronizationRuns).where(eq(synchronizationRuns.tenantId, tenant.id));
  await tx.delete(identities).where(eq(identities.tenantId, tenant.id));
  await tx.update(tenants).set({ initialAccountDefinitionId: null }).where(eq(tenants.id, tenant.id));
  await tx.delete(accountDefinitions).where(eq(accountDefinitions.tenantId, tenant.id));
  await tx.delete(targetSystems).where(eq(targetSystems.tenantId, tenant.id));
  await tx.delete(tenants).where(eq(tenants.id, tenant.id));
}
