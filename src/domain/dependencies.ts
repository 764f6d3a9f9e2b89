/**
 * Dependencies between objects of a rework: the objects that must be processed along with a
 * selection. Publishing a membership needs its container and member in the target system, so
 * their outstanding sides go with it; deleting an object takes its assignment rows with it.
 */
import { and, eq, inArray, isNotNull, or } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { objects } from '../db/schema.ts';
import type { ReworkMethod } from './constraints.ts';

export type DependencyReason = 'CONTAINER_OF_PUBLISHED_MEMBERSHIP' | 'MEMBER_OF_PUBLISHED_MEMBERSHIP' | 'ASSIGNMENT_OF_DELETED_OBJECT';

export interface Dependency {
  /** The object outside the selection that must be processed with it. */
  objectId: number;
  reason: DependencyReason;
  /** Selected objects that need it. */
  requiredBy: number[];
}

/** Lists the objects outside `objectIds` that the method would also process or needs processed. */
export async function findDependencies(db: Executor, objectIds: readonly number[], method: ReworkMethod): Promise<Dependency[]> {
  if (objectIds.length === 0 || method === 'RESET') return [];
  const selection = new Set(objectIds);
  const found = new Map<string, Dependency>();
  const add = (objectId: number, reason: DependencyReason, requiredBy: number) => {
    if (selection.has(objectId)) return;
    const key = `${reason}:${objectId}`;
    const dependency = found.get(key) ?? { objectId, reason, requiredBy: [] };
    dependency.requiredBy.push(requiredBy);
    found.set(key, dependency);
  };

  if (method === 'PUBLISH') {
    const memberships = await db
      .select({ id: objects.id, containerId: objects.containerId, memberId: objects.memberId })
      .from(objects)
      .where(and(inArray(objects.id, [...objectIds]), isNotNull(objects.containerId)));
    const sideIds = [...new Set(memberships.flatMap((row) => [row.containerId, row.memberId]).filter((id): id is number => id !== null))];
    const outstandingSides = sideIds.length
      ? new Set(
          (
            await db
              .select({ id: objects.id })
              .from(objects)
              .where(and(inArray(objects.id, sideIds), isNotNull(objects.outstandingSince)))
          ).map((row) => row.id),
        )
      : new Set<number>();
    for (const membership of memberships) {
      if (membership.containerId !== null && outstandingSides.has(membership.containerId)) {
        add(membership.containerId, 'CONTAINER_OF_PUBLISHED_MEMBERSHIP', membership.id);
      }
      if (membership.memberId !== null && outstandingSides.has(membership.memberId)) {
        add(membership.memberId, 'MEMBER_OF_PUBLISHED_MEMBERSHIP', membership.id);
      }
    }
  } else {
    const ids = [...objectIds];
    const assignments = await db
      .select({ id: objects.id, containerId: objects.containerId, memberId: objects.memberId })
      .from(objects)
      .where(and(eq(objects.isIndirect, false), or(inArray(objects.containerId, ids), inArray(objects.memberId, ids))));
    for (const assignment of assignments) {
      const owner = assignment.containerId !== null && selection.has(assignment.containerId) ? assignment.containerId : assignment.memberId!;
      add(assignment.id, 'ASSIGNMENT_OF_DELETED_OBJECT', owner);
    }
  }
  return [...found.values()];
}
