/**
 * Manage levels: how far an account definition manages an account. "Unmanaged" and "Full managed"
 * are built in; admins add more.
 */
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { manageLevels } from '../db/schema.ts';
import { recordAudit } from './audit.ts';
import { runAudited } from './audited.ts';
import type { ChangeContext } from './change-context.ts';
import { DomainError } from './errors.ts';
import { isUniqueViolation } from './optimistic-concurrency.ts';

export type ManageLevelRow = typeof manageLevels.$inferSelect;

export interface NewManageLevel {
  name: string;
  description?: string | null;
  /** True when accounts at this level get the distribution groups their account definition passes on. */
  inheritsGroups: boolean;
}

export async function createManageLevel(db: Executor, input: NewManageLevel, context: ChangeContext): Promise<ManageLevelRow> {
  const name = input.name.trim();
  const subject = { action: 'manageLevel.create', subjectType: 'ManageLevel', details: { name } };
  return runAudited(db, context.actor, subject, async (tx) => {
    if (name.length < 1 || name.length > 100) {
      throw new DomainError('INVALID_INPUT', 'Invalid manage level name: it must have 1 to 100 characters.', ['input', 'name']);
    }
    const [taken] = await tx.select({ id: manageLevels.id }).from(manageLevels).where(sql`lower(${manageLevels.name}) = lower(${name})`);
    if (taken) throw nameTaken(name);

    let level: ManageLevelRow;
    try {
      [level] = (await tx
        .insert(manageLevels)
        .values({ name, description: input.description?.trim() || null, inheritsGroups: input.inheritsGroups })
        .returning()) as [ManageLevelRow];
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(name);
      throw error;
    }

    await recordAudit(tx, context.actor, {
      ...subject,
      outcome: 'SUCCEEDED',
      subjectId: level.id,
      details: { name, inheritsGroups: level.inheritsGroups },
    });
    context.logger?.info({ manageLevelId: level.id, actor: context.actor.name }, 'manage level created');
    return level;
  });
}

function nameTaken(name: string): DomainError {
  return new DomainError('ALREADY_EXISTS', `A manage level named ${JSON.stringify(name)} exists already. Choose another name.`, ['input', 'name']);
}

/** Lists every manage level, built-in ones first, then by name. */
export async function listManageLevels(db: Executor): Promise<ManageLevelRow[]> {
  return db.select().from(manageLevels).orderBy(sql`${manageLevels.isBuiltIn} desc`, asc(manageLevels.name), asc(manageLevels.id));
}

export async function loadManageLevels(db: Executor, ids: readonly number[]): Promise<ManageLevelRow[]> {
  return db.select().from(manageLevels).where(inArray(manageLevels.id, [...ids]));
}

export async function findManageLevelByName(db: Executor, name: string): Promise<ManageLevelRow | undefined> {
  const [level] = await db.select().from(manageLevels).where(eq(manageLevels.name, name));
  return level;
}
