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
  isTypeOf: (value) => isPayloadError(value) && !specificTypes.has(value.code),
  fields: () => ({}),
});

/** Runs a domain operation for a payload: its result, or its expected failure in `errors`. */
export async function toPayload<T extends object>(run: () => Promise<T>): Promise<Partial<T> & { errors: DomainError[] }> {
  try {
    return { ...(await run()), errors: [] };
  } catch (error) {
    if (error instanceof DomainError) return { errors: [asPayloadError(error)] } as Partial<T> & { errors: DomainError[] };
    throw error;
  }
}

/**
 * Copies the error into a value that is not an Error instance. graphql-js throws any Error a resolver returns
 * as a field error (and takes one with a `path` array for an already located GraphQLError), which
 * would turn an expected failure into a top-level error and null the whole payload.
 */
function asPayloadError(error: DomainError): DomainError {
  return { name: error.name, code: error.code, message: error.message, path: error.path, details: error.details } as DomainError;
}

function isPayloadError(value: unknown): value is DomainError {
  return typeof value === 'object' && value !== null && typeof (value as DomainError).code === 'string' && typeof (value as DomainError).message === 'string';
}
