/**
 * Outstanding objects are frozen: nothing but a rework (Delete, Publish, Reset) may change them,
 * and synchronization runs skip them. Every mutation that edits objects checks here first.
 */
import { and, inArray, isNotNull } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { objects } from '../db/schema.ts';
import { DomainError } from './errors.ts';

/** Rejects the change when any of the objects is outstanding, naming each of them. */
export async function assertNotFrozen(db: Executor, objectIds: readonly number[], action: string): Promise<void> {
  if (objectIds.length === 0) return;
  const frozen = await db
    .select({ id: objects.id, displayName: objects.displayName })
    .from(objects)
    .where(and(inArray(objects.id, [...objectIds]), isNotNull(objects.outstandingSince)));
  if (frozen.length === 0) return;

  const names = frozen.map((object) => `${object.displayName} (${object.id})`).join(', ');
  throw new DomainError(
    'FROZEN_OBJECT',
    `Cannot ${action}: ${frozen.length} object(s) are outstanding and frozen until reworked: ${names}. Delete, publish or reset them first.`,
    undefined,
    { objectIds: frozen.map((object) => object.id) },
  );
}
