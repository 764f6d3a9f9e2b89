/**
 * Custom synchronization tables: definition and later changes to how runs treat them (what happens
 * to missing objects, the guard limits). Built-in tables can be changed the same way, not renamed.
 */
import { and, count, eq, inArray, sql } from 'drizzle-orm';
import type { Executor, Transaction } from '../db/client.ts';
import { syncTables } from '../db/schema.ts';
import { keysetCondition, keysetOrderBy, type PageRequest } from '../graphql/pagination.ts';
import { recordAudit } from './audit.ts';
import { runAudited } from './audited.ts';
import type { ChangeContext } from './change-context.ts';
import type { SyncTableRow } from './catalog.ts';
import { DomainError } from './errors.ts';
import { isUniqueViolation, versionConflict } from './optimistic-concurrency.ts';

export const TABLE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{1,63}$/;
export const MISSING_ACTIONS = ['MARK_OUTSTANDING', 'DELETE'] as const;
export type MissingAction = (typeof MISSING_ACTIONS)[number];

/** Limits of the guard against mass removal; see the sync_tables columns of the same names. */
export interface GuardLimits {
  maxCount?: number | null;
  maxPercent?: number | null;
  minTableSize?: number | null;
}

export interface NewSyncTable {
  name: string;
  displayName: string;
  kind: 'OBJECT' | 'ASSIGNMENT';
  /** Assignment tables: the object table of the containers (required) and of the members (null: any table). */
  containerTableId?: number | null;
  memberTableId?: number | null;
  missingAction?: MissingAction | null;
  guard?: GuardLimits | null;
}

export interface SyncTableChanges {
  id: number;
  version: number;
  displayName?: string | null;
  missingAction?: MissingAction | null;
  guard?: GuardLimits | null;
}

/** Defines a custom table. Its objects have object kind CUSTOM; it takes part once assigned to a target system type. */
export async function createSyncTable(db: Executor, input: NewSyncTable, context: ChangeContext): Promise<SyncTableRow> {
  const subject = { action: 'syncTable.create', subjectType: 'SyncTable', details: { name: input.name } };
  return runAudited(db, context.actor, subject, async (tx) => {
    assertValidName(input.name);
    const displayName = validDisplayName(input.displayName);
    const guard = validGuard(input.guard);
    await assertNameFree(tx, input.name);
    const { containerTableId, memberTableId } = await validSides(tx, input);

    let created: SyncTableRow;
    try {
      [created] = (await tx
        .insert(syncTables)
        .values({
          name: input.name,
          displayName,
          kind: input.kind,
          objectKind: 'CUSTOM',
          isCustom: true,
          containerTableId,
          memberTableId,
          missingAction: input.missingAction ?? 'MARK_OUTSTANDING',
          ...guard,
        })
        .returning()) as [SyncTableRow];
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(input.name);
      throw error;
    }

    await recordAudit(tx, context.actor, { ...subject, outcome: 'SUCCEEDED', subjectId: created.id, details: describe(created) });
    context.logger?.info({ syncTableId: created.id, name: created.name, actor: context.actor.name }, 'sync table created');
    return created;
  });
}

/** Changes a table's display name, missing action or guard limits, based on the version the caller read. */
export async function updateSyncTable(db: Executor, input: SyncTableChanges, context: ChangeContext): Promise<SyncTableRow> {
  const subject = { action: 'syncTable.update', subjectType: 'SyncTable', subjectId: input.id };
  return runAudited(db, context.actor, subject, async (tx) => {
    const [current] = await tx.select().from(syncTables).where(eq(syncTables.id, input.id)).for('update');
    if (!current) throw tableNotFound(input.id, ['input', 'id']);
    if (current.version !== input.version) throw versionConflict(`Synchronization table ${current.name}`, input.version, current.version);

    const values = {
      displayName: input.displayName != null ? validDisplayName(input.displayName) : current.displayName,
      missingAction: input.missingAction ?? current.missingAction,
      ...validGuard({
        maxCount: input.guard?.maxCount ?? current.guardMaxCount,
        maxPercent: input.guard?.maxPercent ?? current.guardMaxPercent,
        minTableSize: input.guard?.minTableSize ?? current.guardMinTableSize,
      }),
    };
    const [updated] = await tx
      .update(syncTables)
      .set({ ...values, version: sql`${syncTables.version} + 1` })
      .where(eq(syncTables.id, input.id))
      .returning();

    await recordAudit(tx, context.actor, { ...subject, outcome: 'SUCCEEDED', details: { before: describe(current), after: describe(updated!) } });
    context.logger?.info({ syncTableId: input.id, actor: context.actor.name }, 'sync table updated');
    return updated!;
  });
}

function assertValidName(name: string): void {
  if (!TABLE_NAME_PATTERN.test(name)) {
    throw new DomainError(
      'INVALID_INPUT',
      `Invalid table name ${JSON.stringify(name)}: use 2 to 64 letters, digits and underscores, starting with a letter (it is also the snapshot file name).`,
      ['input', 'name'],
    );
  }
}

function validDisplayName(displayName: string): string {
  const trimmed = displayName.trim();
  if (trimmed.length < 1 || trimmed.length > 200) {
    throw new DomainError('INVALID_INPUT', 'Invalid display name: it must have 1 to 200 characters.', ['input', 'displayName']);
  }
  return trimmed;
}

function validGuard(guard: GuardLimits | null | undefined) {
  const check = (field: keyof GuardLimits, value: number | null | undefined, fallback: number, max: number) => {
    const result = value ?? fallback;
    if (!Number.isInteger(result) || result < 0 || result > max) {
      throw new DomainError('INVALID_INPUT', `Invalid guard limit ${field}: ${result}. It must be a whole number from 0 to ${max}.`, ['input', 'guard', field]);
    }
    return result;
  };
  return {
    guardMaxCount: check('maxCount', guard?.maxCount, 500, 100_000_000),
    guardMaxPercent: check('maxPercent', guard?.maxPercent, 30, 100),
    guardMinTableSize: check('minTableSize', guard?.minTableSize, 20, 100_000_000),
  };
}

/** Table names are compared without case, because they double as snapshot file names. */
async function assertNameFree(tx: Transaction, name: string): Promise<void> {
  const [taken] = await tx.select({ id: syncTables.id }).from(syncTables).where(sql`lower(${syncTables.name}) = lower(${name})`);
  if (taken) throw nameTaken(name);
}

function nameTaken(name: string): DomainError {
  return new DomainError('ALREADY_EXISTS', `A synchronization table named ${JSON.stringify(name)} exists already (names ignore case). Choose another name.`, [
    'input',
    'name',
  ]);
}

async function validSides(tx: Transaction, input: NewSyncTable): Promise<{ containerTableId: number | null; memberTableId: number | null }> {
  if (input.kind === 'OBJECT') {
    for (const field of ['containerTableId', 'memberTableId'] as const) {
      if (input[field] != null) {
        throw new DomainError('INVALID_INPUT', `An object table has no ${field === 'containerTableId' ? 'container' : 'member'} table; leave it out or choose kind ASSIGNMENT.`, [
          'input',
          field === 'containerTableId' ? 'containerTable' : 'memberTable',
        ]);
      }
    }
    return { containerTableId: null, memberTableId: null };
  }
  if (input.containerTableId == null) {
    throw new DomainError('INVALID_INPUT', 'An assignment table needs a container table: the object table whose objects hold the member lists.', ['input', 'containerTable']);
  }

  const ids = [input.containerTableId, input.memberTableId].filter((id): id is number => id != null);
  const found = new Map((await tx.select().from(syncTables).where(inArray(syncTables.id, ids))).map((table) => [table.id, table]));
  for (const [field, id] of [['containerTable', input.containerTableId], ['memberTable', input.memberTableId]] as const) {
    if (id == null) continue;
    const table = found.get(id);
    if (!table) throw tableNotFound(id, ['input', field]);
    if (table.kind !== 'OBJECT') {
      throw new DomainError('INVALID_INPUT', `Table ${table.name} is an assignment table; the ${field === 'containerTable' ? 'container' : 'member'} table must be an object table.`, ['input', field]);
    }
  }
  return { containerTableId: input.containerTableId, memberTableId: input.memberTableId ?? null };
}

export function tableNotFound(id: number, path: string[]): DomainError {
  return new DomainError('NOT_FOUND', `Synchronization table ${id} not found. List the tables with the \`syncTables\` query.`, path);
}

function describe(table: SyncTableRow): Record<string, unknown> {
  return {
    name: table.name,
    displayName: table.displayName,
    kind: table.kind,
    containerTableId: table.containerTableId,
    memberTableId: table.memberTableId,
    missingAction: table.missingAction,
    guard: { maxCount: table.guardMaxCount, maxPercent: table.guardMaxPercent, minTableSize: table.guardMinTableSize },
  };
}

/** Lists every synchronization table, assigned or not, by name. */
export async function listSyncTables(db: Executor, page: PageRequest): Promise<SyncTableRow[]> {
  const order = { columns: [sql`${syncTables.name}`, sql`${syncTables.id}`], descending: false };
  return db
    .select()
    .from(syncTables)
    .where(and(keysetCondition(order, page)))
    .orderBy(...keysetOrderBy(order, page))
    .limit(page.limit + 1);
}

export async function countSyncTables(db: Executor): Promise<number> {
  const [row] = await db.select({ value: count() }).from(syncTables);
  return row?.value ?? 0;
}
