/**
 * A tenant's initial account definition: the one later synchronization runs give to the new mail
 * users and mail contacts they link to identities, with its default manage level.
 */
import { and, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { accountDefinitions, objects, targetSystems, tenants } from '../db/schema.ts';
import { lockDefinition } from './account-definitions.ts';
import { recordAudit } from './audit.ts';
import { runAudited } from './audited.ts';
import type { ChangeContext } from './change-context.ts';
import { DomainError } from './errors.ts';
import { recomputeInheritedMemberships, type InheritanceChanges } from './inheritance.ts';
import { lockTenant } from './tenants.ts';

/** Makes an account definition of the tenant its initial one, used for new accounts of later runs; null clears it. */
export async function assignAccountDefinitionToTenant(
  db: Executor,
  input: { tenantId: number; accountDefinitionId: number | null },
  context: ChangeContext,
) {
  const subject = { action: 'tenant.assignInitialAccountDefinition', tenantId: input.tenantId, subjectType: 'Tenant', subjectId: input.tenantId };
  return runAudited(db, context.actor, subject, async (tx) => {
    const tenant = await lockTenant(tx, input.tenantId, context.actor, ['input', 'tenant']);
    if (input.accountDefinitionId !== null) {
      const definition = await lockDefinition(tx, input.accountDefinitionId, ['input', 'accountDefinition'], context.actor);
      if (definition.tenantId !== tenant.id) {
        throw new DomainError(
          'INVALID_INPUT',
          `Account definition ${definition.name} belongs to another tenant; tenant ${tenant.name} can only use its own account definitions.`,
          ['input', 'accountDefinition'],
        );
      }
    }
    const [updated] = await tx
      .update(tenants)
      .set({ initialAccountDefinitionId: input.accountDefinitionId, version: sql`${tenants.version} + 1`, updatedAt: new Date() })
      .where(eq(tenants.id, tenant.id))
      .returning();

    const details = { before: tenant.initialAccountDefinitionId, after: input.accountDefinitionId };
    await recordAudit(tx, context.actor, { ...subject, outcome: 'SUCCEEDED', details });
    context.logger?.info({ tenantId: tenant.id, actor: context.actor.name, ...details }, 'initial account definition set');
    return { tenant: updated! };
  });
}

export interface InitialConfiguration {
  /** The tenant's initial account definition, or null when it has none (the accounts stay LINKED). */
  accountDefinitionId: number | null;
  manageLevelId: number | null;
  /** Accounts that became LINKED_CONFIGURED. */
  configuredIds: number[];
  inheritance: InheritanceChanges | null;
}

/**
 * Gives the tenant's initial account definition and its default manage level to those of
 * `accountIds` that are LINKED (an identity, no account definition), not outstanding and of the
 * definition's target system type, then adds their inherited memberships. A synchronization run
 * calls this in its transaction for the accounts it just linked to new identities.
 */
export async function configureNewAccounts(tx: Executor, tenantId: number, accountIds: readonly number[]): Promise<InitialConfiguration> {
  const none: InitialConfiguration = { accountDefinitionId: null, manageLevelId: null, configuredIds: [], inheritance: null };
  if (accountIds.length === 0) return none;
  const [definition] = await tx
    .select({ id: accountDefinitions.id, defaultManageLevelId: accountDefinitions.defaultManageLevelId, targetSystemTypeId: accountDefinitions.targetSystemTypeId })
    .from(tenants)
    .innerJoin(accountDefinitions, eq(accountDefinitions.id, tenants.initialAccountDefinitionId))
    .where(eq(tenants.id, tenantId));
  if (!definition) return none;

  const configuredIds: number[] = [];
  const chunkSize = 5000;
  for (let start = 0; start < accountIds.length; start += chunkSize) {
    const rows = await tx
      .update(objects)
      .set({ accountDefinitionId: definition.id, manageLevelId: definition.defaultManageLevelId, version: sql`${objects.version} + 1`, updatedAt: new Date() })
      .where(
        and(
          inArray(objects.id, accountIds.slice(start, start + chunkSize)),
          eq(objects.tenantId, tenantId),
          eq(objects.isIndirect, false),
          isNotNull(objects.identityId),
          isNull(objects.accountDefinitionId),
          isNull(objects.outstandingSince),
          inArray(
            objects.targetSystemId,
            tx.select({ id: targetSystems.id }).from(targetSystems).where(and(eq(targetSystems.tenantId, tenantId), eq(targetSystems.targetSystemTypeId, definition.targetSystemTypeId))),
          ),
        ),
      )
      .returning({ id: objects.id });
    configuredIds.push(...rows.map((row) => row.id));
  }

  const inheritance = await recomputeInheritedMemberships(tx, configuredIds);
  return { accountDefinitionId: definition.id, manageLevelId: definition.defaultManageLevelId, configuredIds, inheritance };
}
