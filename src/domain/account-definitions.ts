/**
 * Account definitions: the rule set that manages a tenant's accounts of one target system type,
 * with the manage levels it allows, its default level and the groups it passes on.
 */
import { and, count, eq, sql } from 'drizzle-orm';
import type { Executor, Transaction } from '../db/client.ts';
import { accountDefinitionGroups, accountDefinitionManageLevels, accountDefinitions, objects, targetSystems, tenants } from '../db/schema.ts';
import { assertLevelsCoverAccounts, assertValidGroups, assertValidManageLevels } from './account-definition-rules.ts';
import type { Actor } from './actor.ts';
import { recordAudit } from './audit.ts';
import { runAudited } from './audited.ts';
import type { ChangeContext } from './change-context.ts';
import { DomainError } from './errors.ts';
import { recomputeInheritedMembershipsOfDefinition } from './inheritance.ts';
import { isUniqueViolation, versionConflict } from './optimistic-concurrency.ts';
import { lockTenant } from './tenants.ts';
import { inTenantScope, tenantScope } from './tenant-scope.ts';

export type AccountDefinitionRow = typeof accountDefinitions.$inferSelect;

export interface NewAccountDefinition {
  tenantId: number;
  /** The target system type whose accounts it manages; the tenant's only one when omitted. */
  targetSystemTypeId?: number | null;
  name: string;
  description?: string | null;
  allowedManageLevelIds: number[];
  defaultManageLevelId: number;
  /** Distribution groups (object ids) passed on to accounts at a manage level that inherits groups. */
  groupIds?: number[] | null;
}

/** Omitted (or null) fields keep their stored values; `version` is the one the change is based on. */
export interface AccountDefinitionChanges {
  id: number;
  version: number;
  name?: string | null;
  description?: string | null;
  allowedManageLevelIds?: number[] | null;
  defaultManageLevelId?: number | null;
  groupIds?: number[] | null;
}

export async function createAccountDefinition(db: Executor, input: NewAccountDefinition, context: ChangeContext): Promise<AccountDefinitionRow> {
  const subject = { action: 'accountDefinition.create', tenantId: input.tenantId, subjectType: 'AccountDefinition', details: { name: input.name } };
  return runAudited(db, context.actor, subject, async (tx) => {
    const tenant = await lockTenant(tx, input.tenantId, context.actor, ['input', 'tenant']);
    const [system] = await tx
      .select({ typeId: targetSystems.targetSystemTypeId })
      .from(targetSystems)
      .where(and(eq(targetSystems.tenantId, tenant.id), input.targetSystemTypeId == null ? undefined : eq(targetSystems.targetSystemTypeId, input.targetSystemTypeId)))
      .orderBy(targetSystems.id)
      .limit(1);
    if (!system) {
      throw new DomainError('INVALID_INPUT', `Tenant ${tenant.name} has no target system of type ${input.targetSystemTypeId}.`, ['input', 'targetSystemType']);
    }
    const allowed = [...new Set(input.allowedManageLevelIds)];
    const groups = [...new Set(input.groupIds ?? [])];
    await assertValidManageLevels(tx, allowed, input.defaultManageLevelId);
    await assertValidGroups(tx, tenant.id, groups);

    const definition = await writeOrExplain(input.name, async () => {
      const [row] = await tx
        .insert(accountDefinitions)
        .values({
          tenantId: tenant.id,
          targetSystemTypeId: system.typeId,
          name: validName(input.name),
          description: input.description?.trim() || null,
          defaultManageLevelId: input.defaultManageLevelId,
        })
        .returning();
      return row!;
    });
    await replaceLevelsAndGroups(tx, definition.id, allowed, groups);

    const details = { name: definition.name, allowedManageLevelIds: allowed, defaultManageLevelId: definition.defaultManageLevelId, groupIds: groups };
    await recordAudit(tx, context.actor, { ...subject, outcome: 'SUCCEEDED', subjectId: definition.id, details });
    context.logger?.info({ accountDefinitionId: definition.id, tenantId: tenant.id, actor: context.actor.name }, 'account definition created');
    return definition;
  });
}

/**
 * Changes an account definition based on the version the caller read; of two concurrent changes
 * the second gets CONFLICT. Changed groups are recomputed into the accounts' inherited memberships.
 */
export async function updateAccountDefinition(db: Executor, input: AccountDefinitionChanges, context: ChangeContext): Promise<AccountDefinitionRow> {
  const subject = { action: 'accountDefinition.update', subjectType: 'AccountDefinition', subjectId: input.id };
  return runAudited(db, context.actor, subject, async (tx) => {
    const current = await lockDefinition(tx, input.id, ['input', 'id'], context.actor);
    if (current.version !== input.version) throw versionConflict(`Account definition ${current.name}`, input.version, current.version);
    const before = await levelsAndGroupsOf(tx, current.id);

    const allowed = input.allowedManageLevelIds ? [...new Set(input.allowedManageLevelIds)] : before.allowed;
    const groups = input.groupIds ? [...new Set(input.groupIds)] : before.groups;
    const defaultManageLevelId = input.defaultManageLevelId ?? current.defaultManageLevelId;
    await assertValidManageLevels(tx, allowed, defaultManageLevelId);
    await assertLevelsCoverAccounts(tx, current.id, allowed);
    const addedGroups = groups.filter((id) => !before.groups.includes(id));
    await assertValidGroups(tx, current.tenantId, addedGroups);

    const updated = await writeOrExplain(input.name ?? current.name, async () => {
      const [row] = await tx
        .update(accountDefinitions)
        .set({
          name: input.name != null ? validName(input.name) : current.name,
          description: input.description !== undefined && input.description !== null ? input.description.trim() || null : current.description,
          defaultManageLevelId,
          version: sql`${accountDefinitions.version} + 1`,
          updatedAt: new Date(),
        })
        .where(and(eq(accountDefinitions.id, current.id), eq(accountDefinitions.version, input.version)))
        .returning();
      return row;
    });
    if (!updated) throw versionConflict(`Account definition ${current.name}`, input.version, current.version + 1);
    await replaceLevelsAndGroups(tx, current.id, allowed, groups);

    const groupsChanged = addedGroups.length > 0 || before.groups.some((id) => !groups.includes(id));
    const inheritance = groupsChanged ? await recomputeInheritedMembershipsOfDefinition(tx, current.id) : null;
    const details = { before: { name: current.name, ...before, defaultManageLevelId: current.defaultManageLevelId }, after: { name: updated.name, allowed, groups, defaultManageLevelId }, inheritance };
    await recordAudit(tx, context.actor, { ...subject, tenantId: current.tenantId, outcome: 'SUCCEEDED', details });
    context.logger?.info({ accountDefinitionId: current.id, actor: context.actor.name, inheritance }, 'account definition updated');
    return updated;
  });
}

/** Deletes an account definition that no account uses and that is no tenant's initial one. */
export async function deleteAccountDefinition(db: Executor, id: number, context: ChangeContext): Promise<{ deletedId: number }> {
  const subject = { action: 'accountDefinition.delete', subjectType: 'AccountDefinition', subjectId: id };
  return runAudited(db, context.actor, subject, async (tx) => {
    const definition = await lockDefinition(tx, id, ['input', 'id'], context.actor);
    const [used] = await tx
      .select({ value: count() })
      .from(objects)
      .where(and(eq(objects.accountDefinitionId, id), eq(objects.isIndirect, false)));
    if ((used?.value ?? 0) > 0) {
      throw new DomainError(
        'IN_USE',
        `Cannot delete account definition ${definition.name}: ${used!.value} account(s) use it. Take it away from them with changeAccountManagement first.`,
        ['input', 'id'],
        { accountCount: used!.value },
      );
    }
    const [initialOf] = await tx.select({ name: tenants.name }).from(tenants).where(eq(tenants.initialAccountDefinitionId, id));
    if (initialOf) {
      throw new DomainError(
        'IN_USE',
        `Cannot delete account definition ${definition.name}: it is the initial account definition of tenant ${initialOf.name}. Clear that with assignAccountDefinitionToTenant first.`,
        ['input', 'id'],
      );
    }

    await tx.delete(accountDefinitions).where(eq(accountDefinitions.id, id));
    await recordAudit(tx, context.actor, { ...subject, tenantId: definition.tenantId, outcome: 'SUCCEEDED', details: { name: definition.name } });
    context.logger?.info({ accountDefinitionId: id, actor: context.actor.name }, 'account definition deleted');
    return { deletedId: id };
  });
}

/** Loads and locks an account definition; one of a tenant outside `actor`'s limit is reported as not found. */
export async function lockDefinition(tx: Transaction, id: number, path = ['input', 'id'], actor?: Actor): Promise<AccountDefinitionRow> {
  const [definition] = await tx.select().from(accountDefinitions).where(eq(accountDefinitions.id, id)).for('update');
  const hidden = definition && actor && !inTenantScope(tenantScope(actor), definition.tenantId);
  if (!definition || hidden) throw new DomainError('NOT_FOUND', `Account definition ${id} not found. List them with the \`accountDefinitions\` query.`, path);
  return definition;
}

function validName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 200) {
    throw new DomainError('INVALID_INPUT', 'Invalid account definition name: it must have 1 to 200 characters.', ['input', 'name']);
  }
  return trimmed;
}

async function writeOrExplain<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new DomainError('ALREADY_EXISTS', `The tenant has an account definition named ${JSON.stringify(name.trim())} already. Choose another name.`, ['input', 'name']);
  }
}

async function levelsAndGroupsOf(tx: Transaction, id: number): Promise<{ allowed: number[]; groups: number[] }> {
  const levels = await tx.select().from(accountDefinitionManageLevels).where(eq(accountDefinitionManageLevels.accountDefinitionId, id));
  const groups = await tx.select().from(accountDefinitionGroups).where(eq(accountDefinitionGroups.accountDefinitionId, id));
  return { allowed: levels.map((row) => row.manageLevelId), groups: groups.map((row) => row.groupObjectId) };
}

async function replaceLevelsAndGroups(tx: Transaction, id: number, allowed: number[], groups: number[]): Promise<void> {
  await tx.delete(accountDefinitionManageLevels).where(eq(accountDefinitionManageLevels.accountDefinitionId, id));
  await tx.insert(accountDefinitionManageLevels).values(allowed.map((manageLevelId) => ({ accountDefinitionId: id, manageLevelId })));
  await tx.delete(accountDefinitionGroups).where(eq(accountDefinitionGroups.accountDefinitionId, id));
  if (groups.length > 0) await tx.insert(accountDefinitionGroups).values(groups.map((groupObjectId) => ({ accountDefinitionId: id, groupObjectId })));
}
