/**
 * Checks shared by creating and changing account definitions: the manage levels they allow and the
 * distribution groups they pass on.
 */
import { and, count, eq, inArray, isNotNull, notInArray } from 'drizzle-orm';
import type { Transaction } from '../db/client.ts';
import { manageLevels, objects, syncTables } from '../db/schema.ts';
import { DomainError } from './errors.ts';
import { assertNotFrozen } from './frozen.ts';

/** Rejects an empty or unknown set of allowed levels and a default outside it. */
export async function assertValidManageLevels(tx: Transaction, allowedIds: number[], defaultId: number): Promise<void> {
  if (allowedIds.length === 0) {
    throw new DomainError('INVALID_INPUT', 'An account definition must allow at least one manage level.', ['input', 'allowedManageLevels']);
  }
  const found = new Set((await tx.select({ id: manageLevels.id }).from(manageLevels).where(inArray(manageLevels.id, allowedIds))).map((row) => row.id));
  const unknown = allowedIds.filter((id) => !found.has(id));
  if (unknown.length > 0) {
    throw new DomainError('NOT_FOUND', `Manage level(s) ${unknown.join(', ')} not found. List them with the \`manageLevels\` query.`, ['input', 'allowedManageLevels']);
  }
  if (!allowedIds.includes(defaultId)) {
    throw new DomainError('INVALID_INPUT', 'The default manage level must be one of the allowed manage levels. Add it to allowedManageLevels or choose another default.', [
      'input',
      'defaultManageLevel',
    ]);
  }
}

/**
 * Rejects groups that are unknown, not in a table with member lists, of another tenant, or
 * outstanding (frozen objects cannot take on new memberships).
 */
export async function assertValidGroups(tx: Transaction, tenantId: number, groupIds: number[]): Promise<void> {
  if (groupIds.length === 0) return;
  const groups = await tx
    .select({ id: objects.id, tenantId: objects.tenantId, displayName: objects.displayName, syncTableId: objects.syncTableId, tableName: syncTables.name, isIndirect: objects.isIndirect })
    .from(objects)
    .innerJoin(syncTables, eq(syncTables.id, objects.syncTableId))
    .where(inArray(objects.id, groupIds));
  const containerTables = new Set(
    (await tx.select({ id: syncTables.containerTableId }).from(syncTables).where(and(eq(syncTables.kind, 'ASSIGNMENT'), isNotNull(syncTables.containerTableId)))).map(
      (row) => row.id,
    ),
  );

  for (const id of groupIds) {
    const group = groups.find((candidate) => candidate.id === id);
    if (!group || group.isIndirect) {
      throw new DomainError('NOT_FOUND', `Group ${id} not found. Pass the IDs of distribution groups of this tenant.`, ['input', 'groups']);
    }
    if (!containerTables.has(group.syncTableId)) {
      throw new DomainError('INVALID_INPUT', `${group.displayName} (${id}) is in table ${group.tableName}, which has no member lists. Pass distribution groups instead.`, ['input', 'groups']);
    }
    if (group.tenantId !== tenantId) {
      throw new DomainError('INVALID_INPUT', `Group ${group.displayName} (${id}) belongs to another tenant; an account definition passes on groups of its own tenant only.`, [
        'input',
        'groups',
      ]);
    }
  }
  await assertNotFrozen(tx, groupIds, 'pass on these groups');
}

/**
 * Rejects narrowing the allowed manage levels while accounts with this definition use a level
 * that would no longer be allowed, naming the count of each.
 */
export async function assertLevelsCoverAccounts(tx: Transaction, accountDefinitionId: number, allowedIds: number[]): Promise<void> {
  const rows = await tx
    .select({ name: manageLevels.name, value: count() })
    .from(objects)
    .innerJoin(manageLevels, eq(manageLevels.id, objects.manageLevelId))
    .where(and(eq(objects.accountDefinitionId, accountDefinitionId), eq(objects.isIndirect, false), notInArray(objects.manageLevelId, allowedIds)))
    .groupBy(manageLevels.name);
  if (rows.length === 0) return;
  const list = rows.map((row) => `${row.value} at ${row.name}`).join(', ');
  throw new DomainError(
    'IN_USE',
    `Cannot remove manage levels that accounts use (${list}). Move those accounts to another level with changeAccountManagement first.`,
    ['input', 'allowedManageLevels'],
  );
}
