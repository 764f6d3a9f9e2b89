/**
 * Assignment of synchronization tables to target system types, and their publishing flags. Only
 * assigned tables take part in the type's runs and show outstanding objects under it.
 */
import { and, count, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Executor, Transaction } from '../db/client.ts';
import { objects, syncTables, targetSystems, targetSystemTypes, targetSystemTypeTables } from '../db/schema.ts';
import { recordAudit } from './audit.ts';
import { runAudited } from './audited.ts';
import type { ChangeContext } from './change-context.ts';
import type { SyncTableRow, TargetSystemTypeRow } from './catalog.ts';
import { DomainError } from './errors.ts';
import { tableNotFound } from './sync-tables.ts';

export interface TableSelection {
  targetSystemTypeId: number;
  syncTableIds: number[];
}

export interface PublishingSetting {
  syncTableId: number;
  publishingEnabled: boolean;
}

/** Assigns tables to a target system type; tables assigned already stay as they are. */
export async function assignSyncTables(db: Executor, input: TableSelection, context: ChangeContext) {
  const subject = { action: 'syncTables.assign', subjectType: 'TargetSystemType', subjectId: input.targetSystemTypeId };
  return runAudited(db, context.actor, subject, async (tx) => {
    const type = await loadType(tx, input.targetSystemTypeId);
    const tables = await loadTables(tx, input.syncTableIds, ['input', 'syncTables']);
    const assigned = await assignedIds(tx, type.id);
    const after = new Set([...assigned, ...tables.map((table) => table.id)]);

    // A member list without its containers' table would show rows whose groups are invisible.
    for (const table of tables) {
      for (const sideId of [table.containerTableId, table.memberTableId]) {
        if (sideId !== null && !after.has(sideId)) {
          const side = await loadTables(tx, [sideId], ['input', 'syncTables']);
          throw new DomainError('INVALID_INPUT', `Table ${table.name} lists members of table ${side[0]!.name}, which is not assigned to ${type.name}. Assign both together.`, [
            'input',
            'syncTables',
          ]);
        }
      }
    }

    const added = tables.filter((table) => !assigned.has(table.id));
    if (added.length > 0) {
      await tx.insert(targetSystemTypeTables).values(added.map((table) => ({ targetSystemTypeId: type.id, syncTableId: table.id })));
    }
    const details = { targetSystemType: type.name, assigned: added.map((table) => table.name), alreadyAssigned: tables.filter((table) => assigned.has(table.id)).map((table) => table.name) };
    await recordAudit(tx, context.actor, { ...subject, outcome: 'SUCCEEDED', details });
    context.logger?.info({ targetSystemTypeId: type.id, actor: context.actor.name, ...details }, 'sync tables assigned');
    return { targetSystemType: type, syncTables: tables };
  });
}

/**
 * Removes tables from a target system type. A table that still contains outstanding objects of the
 * type's target systems is rejected, naming the count, unless `force` is set. Forced, the objects
 * keep their marks and stay reachable through their table.
 */
export async function unassignSyncTables(db: Executor, input: TableSelection & { force?: boolean | null }, context: ChangeContext) {
  const subject = { action: 'syncTables.unassign', subjectType: 'TargetSystemType', subjectId: input.targetSystemTypeId, details: { force: input.force === true } };
  return runAudited(db, context.actor, subject, async (tx) => {
    const type = await loadType(tx, input.targetSystemTypeId);
    const tables = await loadTables(tx, input.syncTableIds, ['input', 'syncTables']);
    const assigned = await assignedIds(tx, type.id);
    const removing = new Set(tables.map((table) => table.id));

    for (const table of tables) {
      if (!assigned.has(table.id)) {
        throw new DomainError('NOT_ASSIGNED', `Table ${table.name} is not assigned to ${type.name}, so it cannot be unassigned.`, ['input', 'syncTables']);
      }
    }
    const dependents = await tx
      .select({ name: syncTables.name, id: syncTables.id, containerTableId: syncTables.containerTableId, memberTableId: syncTables.memberTableId })
      .from(syncTables)
      .innerJoin(targetSystemTypeTables, and(eq(targetSystemTypeTables.syncTableId, syncTables.id), eq(targetSystemTypeTables.targetSystemTypeId, type.id)));
    for (const dependent of dependents) {
      const needs = [dependent.containerTableId, dependent.memberTableId].find((id) => id !== null && removing.has(id));
      if (needs !== undefined && !removing.has(dependent.id)) {
        const table = tables.find((candidate) => candidate.id === needs)!;
        throw new DomainError('INVALID_INPUT', `Table ${dependent.name} lists members of table ${table.name}. Unassign ${dependent.name} too, or first.`, ['input', 'syncTables']);
      }
    }

    const outstanding = await countOutstandingInType(tx, type.id, [...removing]);
    const holding = tables.filter((table) => (outstanding.get(table.id) ?? 0) > 0).map((table) => ({ name: table.name, outstandingCount: outstanding.get(table.id)! }));
    if (holding.length > 0 && input.force !== true) {
      const total = holding.reduce((sum, table) => sum + table.outstandingCount, 0);
      const list = holding.map((table) => `${table.name}: ${table.outstandingCount}`).join(', ');
      throw new DomainError(
        'HAS_OUTSTANDING_OBJECTS',
        `Cannot unassign: ${total} outstanding object(s) remain (${list}). Rework them first, or pass force: true; forced, they stay outstanding and listed under their table.`,
        ['input', 'force'],
        { tables: holding },
      );
    }

    await tx
      .delete(targetSystemTypeTables)
      .where(and(eq(targetSystemTypeTables.targetSystemTypeId, type.id), inArray(targetSystemTypeTables.syncTableId, [...removing])));
    const details = { targetSystemType: type.name, unassigned: tables.map((table) => table.name), force: input.force === true, outstandingKept: holding };
    await recordAudit(tx, context.actor, { ...subject, outcome: 'SUCCEEDED', details });
    context.logger?.info({ targetSystemTypeId: type.id, actor: context.actor.name, ...details }, 'sync tables unassigned');
    return { targetSystemType: type, syncTables: tables };
  });
}

/** Sets or clears "publishable" for tables of a target system type. */
export async function configureTablesForPublishing(
  db: Executor,
  input: { targetSystemTypeId: number; settings: PublishingSetting[] },
  context: ChangeContext,
) {
  const subject = { action: 'syncTables.configurePublishing', subjectType: 'TargetSystemType', subjectId: input.targetSystemTypeId };
  return runAudited(db, context.actor, subject, async (tx) => {
    const type = await loadType(tx, input.targetSystemTypeId);
    const ids = input.settings.map((setting) => setting.syncTableId);
    if (new Set(ids).size !== ids.length) {
      throw new DomainError('INVALID_INPUT', 'Each table may appear only once in settings.', ['input', 'settings']);
    }
    const tables = await loadTables(tx, ids, ['input', 'settings']);
    const current = new Map(
      (await tx.select().from(targetSystemTypeTables).where(eq(targetSystemTypeTables.targetSystemTypeId, type.id))).map((row) => [row.syncTableId, row.publishingEnabled]),
    );

    const changes: { table: string; publishingEnabled: boolean; before: boolean }[] = [];
    for (const [index, setting] of input.settings.entries()) {
      const table = tables.find((candidate) => candidate.id === setting.syncTableId)!;
      const before = current.get(table.id);
      if (before === undefined) {
        throw new DomainError('NOT_ASSIGNED', `Table ${table.name} is not assigned to ${type.name}. Assign it with assignSyncTables first.`, ['input', 'settings', String(index)]);
      }
      if (before === setting.publishingEnabled) continue;
      await tx
        .update(targetSystemTypeTables)
        .set({ publishingEnabled: setting.publishingEnabled })
        .where(and(eq(targetSystemTypeTables.targetSystemTypeId, type.id), eq(targetSystemTypeTables.syncTableId, table.id)));
      changes.push({ table: table.name, publishingEnabled: setting.publishingEnabled, before });
    }

    await recordAudit(tx, context.actor, { ...subject, outcome: 'SUCCEEDED', details: { targetSystemType: type.name, changes } });
    context.logger?.info({ targetSystemTypeId: type.id, actor: context.actor.name, changes }, 'publishing configured');
    return { targetSystemType: type, syncTables: tables };
  });
}

async function loadType(tx: Transaction, id: number): Promise<TargetSystemTypeRow> {
  const [type] = await tx.select().from(targetSystemTypes).where(eq(targetSystemTypes.id, id));
  if (!type) throw new DomainError('NOT_FOUND', `Target system type ${id} not found. List them with the \`targetSystemTypes\` query.`, ['input', 'targetSystemType']);
  return type;
}

/** Loads the tables in request order; an unknown id is NOT_FOUND, a repeated one is ignored. */
async function loadTables(tx: Transaction, ids: number[], path: string[]): Promise<SyncTableRow[]> {
  if (ids.length === 0) throw new DomainError('INVALID_INPUT', 'Name at least one synchronization table.', path);
  const rows = await tx.select().from(syncTables).where(inArray(syncTables.id, ids));
  const byId = new Map(rows.map((row) => [row.id, row]));
  const unique = [...new Set(ids)];
  return unique.map((id) => {
    const table = byId.get(id);
    if (!table) throw tableNotFound(id, path);
    return table;
  });
}

async function assignedIds(tx: Transaction, typeId: number): Promise<Set<number>> {
  const rows = await tx.select({ id: targetSystemTypeTables.syncTableId }).from(targetSystemTypeTables).where(eq(targetSystemTypeTables.targetSystemTypeId, typeId));
  return new Set(rows.map((row) => row.id));
}

async function countOutstandingInType(tx: Transaction, typeId: number, tableIds: number[]): Promise<Map<number, number>> {
  const rows = await tx
    .select({ syncTableId: objects.syncTableId, value: count() })
    .from(objects)
    .innerJoin(targetSystems, eq(targetSystems.id, objects.targetSystemId))
    .where(and(eq(targetSystems.targetSystemTypeId, typeId), inArray(objects.syncTableId, tableIds), isNotNull(objects.outstandingSince)))
    .groupBy(objects.syncTableId);
  return new Map(rows.map((row) => [row.syncTableId, row.value]));
}

export type TableAssignmentRow = typeof targetSystemTypeTables.$inferSelect;

/** Loads the target system types each of the tables is assigned to, with the publishing flag. */
export async function loadTableAssignments(db: Executor, syncTableIds: readonly number[]): Promise<TableAssignmentRow[]> {
  return db
    .select()
    .from(targetSystemTypeTables)
    .where(inArray(targetSystemTypeTables.syncTableId, [...syncTableIds]))
    .orderBy(targetSystemTypeTables.targetSystemTypeId);
}
