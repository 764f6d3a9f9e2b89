/**
 * Inherited (indirect) memberships. An account whose account definition carries distribution
 * groups, with a manage level that inherits groups, is an indirect member of each of them: a row
 * of the groups' assignment table with is_indirect = true. Outstanding accounts, groups and
 * memberships are frozen, so the calculation leaves them and their memberships as they are.
 */
import { and, eq, inArray, or, sql, type AnyColumn } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../db/client.ts';
import { accountDefinitionGroups, manageLevels, objects, syncTables } from '../db/schema.ts';

export interface InheritanceChanges {
  added: number;
  removed: number;
  /** Memberships left in place: still justified, or frozen because a side or the row is outstanding. */
  kept: number;
}

const CHUNK_SIZE = 1000;

const isOutstanding = (column: AnyColumn) => sql<boolean>`${column} is not null`;

/**
 * Brings the indirect memberships of the given accounts in line with their account definitions
 * and manage levels: adds the missing ones and removes those no longer justified. Call it inside
 * the transaction that changed an account's definition or manage level or a definition's groups.
 */
export async function recomputeInheritedMemberships(tx: Executor, accountIds: readonly number[]): Promise<InheritanceChanges> {
  const total: InheritanceChanges = { added: 0, removed: 0, kept: 0 };
  const unique = [...new Set(accountIds)];
  for (let start = 0; start < unique.length; start += CHUNK_SIZE) {
    const changes = await recomputeChunk(tx, unique.slice(start, start + CHUNK_SIZE));
    total.added += changes.added;
    total.removed += changes.removed;
    total.kept += changes.kept;
  }
  return total;
}

/** Recomputes every account that has the definition or a membership inherited from it. */
export async function recomputeInheritedMembershipsOfDefinition(tx: Executor, accountDefinitionId: number): Promise<InheritanceChanges> {
  const rows = await tx
    .select({ id: objects.id, memberId: objects.memberId, isIndirect: objects.isIndirect })
    .from(objects)
    .where(
      or(
        and(eq(objects.accountDefinitionId, accountDefinitionId), eq(objects.isIndirect, false)),
        and(eq(objects.inheritedFromAccountDefinitionId, accountDefinitionId), eq(objects.isIndirect, true)),
      ),
    );
  const accountIds = rows.map((row) => (row.isIndirect ? row.memberId! : row.id));
  return recomputeInheritedMemberships(tx, accountIds);
}

interface DesiredMembership {
  tenantId: number;
  targetSystemId: number;
  syncTableId: number;
  key: string;
  displayName: string;
  properties: Record<string, unknown>;
  containerId: number;
  memberId: number;
  inheritedFromAccountDefinitionId: number;
}

async function recomputeChunk(tx: Executor, accountIds: number[]): Promise<InheritanceChanges> {
  const accounts = await tx
    .select({
      id: objects.id,
      tenantId: objects.tenantId,
      targetSystemId: objects.targetSystemId,
      syncTableId: objects.syncTableId,
      key: objects.key,
      displayName: objects.displayName,
      properties: objects.properties,
      outstanding: isOutstanding(objects.outstandingSince),
      accountDefinitionId: objects.accountDefinitionId,
      inheritsGroups: manageLevels.inheritsGroups,
    })
    .from(objects)
    .leftJoin(manageLevels, eq(manageLevels.id, objects.manageLevelId))
    .where(and(inArray(objects.id, accountIds), eq(objects.isIndirect, false)));
  const accountById = new Map(accounts.map((account) => [account.id, account]));

  const desired = await desiredMemberships(tx, accounts);
  const existing = await existingIndirectMemberships(tx, accountIds);

  let kept = 0;
  const stale: number[] = [];
  for (const row of existing) {
    const pair = `${row.containerId}:${row.memberId}`;
    const frozen = row.outstanding || row.containerOutstanding === true || accountById.get(row.memberId!)?.outstanding === true;
    const wanted = desired.get(pair);
    desired.delete(pair);
    if (frozen || wanted) {
      kept += 1;
      if (!frozen && wanted && wanted.inheritedFromAccountDefinitionId !== row.inheritedFromAccountDefinitionId) {
        await tx.update(objects).set({ inheritedFromAccountDefinitionId: wanted.inheritedFromAccountDefinitionId, updatedAt: new Date() }).where(eq(objects.id, row.id));
      }
    } else {
      stale.push(row.id);
    }
  }

  if (stale.length > 0) await tx.delete(objects).where(inArray(objects.id, stale));
  const additions = [...desired.values()];
  if (additions.length > 0) {
    await tx
      .insert(objects)
      .values(additions.map((row) => ({ ...row, isIndirect: true })))
      .onConflictDoUpdate({
        target: [objects.targetSystemId, objects.syncTableId, objects.key, objects.isIndirect],
        set: { updatedAt: new Date() },
      });
  }
  return { added: additions.length, removed: stale.length, kept };
}

type AccountFacts = {
  id: number;
  tenantId: number;
  targetSystemId: number;
  syncTableId: number;
  key: string;
  displayName: string;
  properties: Record<string, unknown>;
  outstanding: boolean;
  accountDefinitionId: number | null;
  inheritsGroups: boolean | null;
};

/** Memberships the accounts should have, by `containerId:memberId`; frozen groups contribute none. */
async function desiredMemberships(tx: Executor, accounts: AccountFacts[]): Promise<Map<string, DesiredMembership>> {
  const desired = new Map<string, DesiredMembership>();
  const inheriting = accounts.filter((account) => !account.outstanding && account.accountDefinitionId !== null && account.inheritsGroups === true);
  if (inheriting.length === 0) return desired;

  const definitionIds = [...new Set(inheriting.map((account) => account.accountDefinitionId!))];
  const groups = await tx
    .select({
      accountDefinitionId: accountDefinitionGroups.accountDefinitionId,
      id: objects.id,
      key: objects.key,
      syncTableId: objects.syncTableId,
      targetSystemId: objects.targetSystemId,
      outstanding: isOutstanding(objects.outstandingSince),
    })
    .from(accountDefinitionGroups)
    .innerJoin(objects, eq(objects.id, accountDefinitionGroups.groupObjectId))
    .where(inArray(accountDefinitionGroups.accountDefinitionId, definitionIds));
  if (groups.length === 0) return desired;

  // The member list of a group table: its assignment table, built-in ones before custom ones.
  const listTables = await tx
    .select()
    .from(syncTables)
    .where(and(eq(syncTables.kind, 'ASSIGNMENT'), inArray(syncTables.containerTableId, [...new Set(groups.map((group) => group.syncTableId))])))
    .orderBy(syncTables.isCustom, syncTables.id);
  const listTableFor = (groupTableId: number, accountTableId: number) =>
    listTables.find((table) => table.containerTableId === groupTableId && (table.memberTableId === null || table.memberTableId === accountTableId));

  for (const account of inheriting) {
    for (const group of groups) {
      if (group.accountDefinitionId !== account.accountDefinitionId || group.outstanding) continue;
      if (group.targetSystemId !== account.targetSystemId) continue;
      const listTable = listTableFor(group.syncTableId, account.syncTableId);
      if (!listTable) continue;
      desired.set(`${group.id}:${account.id}`, {
        tenantId: account.tenantId,
        targetSystemId: account.targetSystemId,
        syncTableId: listTable.id,
        key: `${group.key}:${account.key}`,
        displayName: account.displayName,
        properties: memberRowProperties(group.key, account),
        containerId: group.id,
        memberId: account.id,
        inheritedFromAccountDefinitionId: account.accountDefinitionId!,
      });
    }
  }
  return desired;
}

async function existingIndirectMemberships(tx: Executor, accountIds: number[]) {
  const container = alias(objects, 'container');
  return tx
    .select({
      id: objects.id,
      containerId: objects.containerId,
      memberId: objects.memberId,
      inheritedFromAccountDefinitionId: objects.inheritedFromAccountDefinitionId,
      outstanding: isOutstanding(objects.outstandingSince),
      containerOutstanding: isOutstanding(container.outstandingSince),
    })
    .from(objects)
    .leftJoin(container, eq(container.id, objects.containerId))
    .where(and(eq(objects.isIndirect, true), inArray(objects.memberId, accountIds)));
}

/** Properties shaped like a `Get-DistributionGroupMember` row, so an inherited membership reads like a synchronized one. */
function memberRowProperties(groupKey: string, account: AccountFacts): Record<string, unknown> {
  const properties: Record<string, unknown> = { GroupGuid: groupKey, Guid: account.key };
  for (const field of ['Name', 'Alias', 'DisplayName', 'PrimarySmtpAddress', 'RecipientTypeDetails']) {
    if (account.properties[field] !== undefined) properties[field] = account.properties[field];
  }
  return properties;
}
