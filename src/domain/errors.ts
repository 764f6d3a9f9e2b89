/**
 * Expected failures of domain operations. The GraphQL layer turns each into a typed error in the
 * mutation's payload; anything else is unexpected and gets masked with a request id.
 */

/** Stable codes a client can branch on. */
export type DomainErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'CONFLICT'
  | 'FROZEN_OBJECT'
  | 'CONSTRAINT_VIOLATION'
  | 'BUSY'
  | 'GUARD_TRIPPED'
  | 'SNAPSHOT_INVALID'
  | 'SELECTION_TOO_LARGE'
  | 'FORBIDDEN'
  | (string & {});

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Input path the error is about, e.g. `['input', 'objectIds', '3']`. */
    readonly path?: string[],
    /** Structured data for typed errors, e.g. the blocked objects of a constraint violation. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/**
 * Renders a database id in an error message the way the caller refers to the object: the GraphQL
 * API passes the global IDs the client sent, the command line the database ids.
 */
export type IdLabel = (id: number) => string;

export const databaseIdLabel: IdLabel = (id) => String(id);

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
