/**
 * Typed errors in mutation payloads. `UserError` is the interface every expected failure
 * implements; specific types add what the client needs to act (the blocked objects, say).
 */
import { builder } from './builder.ts';
import { DomainError } from '../domain/errors.ts';

export const UserError = builder.interfaceRef<DomainError>('UserError').implement({
  description: 'An expected failure the caller can act on. `code` is stable; `message` is for people.',
  fields: (t) => ({
    code: t.string({ description: 'Stable, machine-readable reason, e.g. `NOT_FOUND` or `CONSTRAINT_VIOLATION`.', resolve: (error) => error.code }),
    message: t.string({ description: 'What went wrong and what to do, in English.', resolve: (error) => error.message }),
    path: t.stringList({
      nullable: true,
      description: 'Path to the input value the error is about, e.g. `["input", "name"]`.',
      resolve: (error) => error.path ?? null,
    }),
  }),
});

/** Error types by the codes they represent; codes not listed here use `GenericUserError`. */
const specificTypes = new Map<string, string>();

/** Registers a typed error for a code, so `resolveType` picks it. */
export function registerUserErrorType(code: string, typeName: string): void {
  specificTypes.set(code, typeName);
}

builder.objectType(DomainError, {
  name: 'GenericUserError',
  description: 'A failure without extra data: invalid input, a name that exists already, a conflict.',
  interfaces: [UserError],
  isTypeOf: (value) => value instanceof DomainError && !specificTypes.has(value.code),
  fields: () => ({}),
});

/** Runs a domain operation for a payload: its result, or its expected failure in `errors`. */
export async function toPayload<T extends object>(run: () => Promise<T>): Promise<Partial<T> & { errors: DomainError[] }> {
  try {
    return { ...(await run()), errors: [] };
  } catch (error) {
    if (error instanceof DomainError) return { errors: [error] } as Partial<T> & { errors: DomainError[] };
    throw error;
  }
}
