/**
 * Typed failures of a rework request, carrying what a client needs to act on them.
 */
import type { ConstraintReason, ReworkMethod } from '../constraints.ts';
import { DomainError } from '../errors.ts';

export interface BlockedObject {
  objectId: number;
  displayName: string;
  reasons: ConstraintReason[];
}

/** The method is disabled for some selected objects; nothing was changed. Lists every one of them. */
export class ConstraintViolationError extends DomainError {
  constructor(
    readonly method: ReworkMethod,
    readonly blockedObjects: BlockedObject[],
  ) {
    const first = blockedObjects[0]!;
    const firstReasons = first.reasons.map((reason) => reason.message).join(' ');
    const others = blockedObjects.length > 1 ? ` ${blockedObjects.length - 1} other object(s) are blocked too; blockedObjects lists each with its reasons.` : '';
    super(
      'CONSTRAINT_VIOLATION',
      `${method} cannot run for ${blockedObjects.length} selected object(s), so nothing was changed. ` +
        `${first.displayName} (${first.objectId}): ${firstReasons}${others} Leave them out of the selection or remove the reasons first.`,
      ['input'],
      { method, blockedObjects },
    );
    this.name = 'ConstraintViolationError';
  }
}
