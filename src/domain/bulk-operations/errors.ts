/**
 * Typed failures of accepting a bulk operation, carrying what a client needs to act on them.
 */
import { DomainError } from '../errors.ts';

export interface BusyObject {
  objectId: number;
  displayName: string | null;
  /** The operation that holds the object. */
  bulkOperationId: number;
}

/** Some of the objects are in another operation that has not finished; nothing was accepted. */
export class ObjectsBusyError extends DomainError {
  constructor(readonly busyObjects: BusyObject[]) {
    const operations = [...new Set(busyObjects.map((object) => object.bulkOperationId))];
    const names = busyObjects
      .slice(0, 20)
      .map((object) => `${object.displayName ?? 'deleted object'} (${object.objectId})`)
      .join(', ');
    const more = busyObjects.length > 20 ? ` and ${busyObjects.length - 20} more` : '';
    super(
      'OBJECTS_BUSY',
      `${busyObjects.length} selected object(s) are in bulk operation ${operations.join(', ')}, which has not finished: ${names}${more}. ` +
        'An object is in at most one running operation. Wait until that operation has finished, or leave these objects out.',
      ['input'],
      { busyObjects },
    );
    this.name = 'ObjectsBusyError';
  }
}
