/**
 * A tenant has at most one synchronization run or bulk operation (rework) at a time. The holder
 * inserts a row into `tenant_claims` when it is accepted and deletes it when it reaches a final
 * state. Because the tenant is the primary key, a second claim fails without waiting on a lock.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { bulkOperations, synchronizationRuns, tenantClaims, tenants } from '../db/schema.ts';
import { queryRows } from '../db/sql.ts';
import { DomainError } from './errors.ts';

export type TenantClaimHolderKind = 'SYNCHRONIZATION_RUN' | 'BULK_OPERATION';

const FINAL = sql`('SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'INTERRUPTED', 'CANCELED')`;

/**
 * Claims the tenant for one run or operation, inside the transaction that creates it. Throws
 * TENANT_BUSY, naming the current holder, when another run or operation has claimed the tenant.
 */
export async function claimTenant(tx: Executor, tenantId: number, holderKind: TenantClaimHolderKind, holderId: number): Promise<void> {
  const claimed = await tx
    .insert(tenantClaims)
    .values({ tenantId, holderKind, holderId })
    .onConflictDoNothing()
    .returning({ tenantId: tenantClaims.tenantId });
  if (claimed.length > 0) return;

  const [holder] = await tx.select().from(tenantClaims).where(eq(tenantClaims.tenantId, tenantId));
  if (holder && holder.holderKind === holderKind && holder.holderId === holderId) return;
  const [tenant] = await tx.select({ name: tenants.name }).from(tenants).where(eq(tenants.id, tenantId));
  throw tenantBusyError(tenantId, tenant?.name ?? String(tenantId), holder?.holderKind ?? 'UNKNOWN', holder?.holderId ?? null);
}

/** Releases the claim if this holder still has it; releasing twice is harmless. */
export async function releaseTenant(db: Executor, tenantId: number, holderKind: TenantClaimHolderKind, holderId: number): Promise<void> {
  await db
    .delete(tenantClaims)
    .where(and(eq(tenantClaims.tenantId, tenantId), eq(tenantClaims.holderKind, holderKind), eq(tenantClaims.holderId, holderId)));
}

/**
 * Deletes claims whose holder has reached a final state or no longer exists, e.g. after a crash
 * between the holder's final update and its release. Returns the tenants set free.
 */
export async function clearStaleTenantClaims(db: Executor): Promise<number[]> {
  const rows = await queryRows<{ tenant_id: number | string }>(
    db,
    sql`delete from ${tenantClaims} c
        where (c.holder_kind = 'SYNCHRONIZATION_RUN' and not exists (
                 select 1 from ${synchronizationRuns} r where r.id = c.holder_id and r.status not in ${FINAL}))
           or (c.holder_kind = 'BULK_OPERATION' and not exists (
                 select 1 from ${bulkOperations} b where b.id = c.holder_id and b.status not in ${FINAL}))
        returning c.tenant_id`,
  );
  return rows.map((row) => Number(row.tenant_id));
}

/** Builds the error for a tenant that another run or operation has claimed; its details name the holder. */
export function tenantBusyError(tenantId: number, tenantName: string, holderKind: string, holderId: number | null): DomainError {
  const holder =
    holderKind === 'SYNCHRONIZATION_RUN'
      ? `synchronization run ${holderId}`
      : holderKind === 'BULK_OPERATION'
        ? `bulk operation ${holderId}`
        : 'another operation';
  return new DomainError(
    'TENANT_BUSY',
    `Tenant ${JSON.stringify(tenantName)} is busy: ${holder} is in progress. A synchronization run and a rework of the same tenant never overlap; wait until it has finished, then try again.`,
    undefined,
    { tenantId, holderKind, holderId },
  );
}
