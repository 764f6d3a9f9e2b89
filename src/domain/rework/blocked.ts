/**
 * Which objects of a selection the method is disabled for. computeConstraints decides, as it does
 * for the query API. It loads facts per object, so for 100,000 objects the statements that read
 * the selection (selection.ts, check.ts) first flag suspects with the SQL twins of the constraint
 * rules (constraint-conditions.ts). Those judge each object on its own, so they flag a superset: a
 * membership published together with its outstanding container is flagged there and then allowed
 * by computeConstraints, which takes the selection into account.
 */
import type { Executor } from '../../db/client.ts';
import { computeConstraints, type ReworkMethod } from '../constraints.ts';
import type { BlockedObject } from './errors.ts';

const CONSTRAINT_CHUNK = 5000;

/** Runs computeConstraints on the suspects and keeps those it blocks, with its reasons. */
export async function confirmBlocked(
  db: Executor,
  method: ReworkMethod,
  candidates: readonly { id: number; displayName: string }[],
  selection: ReadonlySet<number>,
): Promise<BlockedObject[]> {
  const blocked: BlockedObject[] = [];
  for (let start = 0; start < candidates.length; start += CONSTRAINT_CHUNK) {
    const chunk = candidates.slice(start, start + CONSTRAINT_CHUNK);
    const constraints = await computeConstraints(
      db,
      chunk.map((candidate) => candidate.id),
      { selection },
    );
    for (const candidate of chunk) {
      const constraint = constraints.get(candidate.id)?.find((entry) => entry.method === method);
      if (constraint && !constraint.allowed) blocked.push({ objectId: candidate.id, displayName: candidate.displayName, reasons: constraint.reasons });
    }
  }
  return blocked;
}
