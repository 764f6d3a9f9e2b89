/**
 * Expected failures of queries. Mutations return them in their payload. A query has no payload,
 * so its domain errors become GraphQL errors with the same code, message and input path.
 */
import { GraphQLError } from 'graphql';
import { DomainError } from '../domain/errors.ts';

/** Runs a query's domain call and rethrows a DomainError as a GraphQL error for the client. */
export async function withQueryErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    throw new GraphQLError(error.message, { extensions: { code: error.code, inputPath: error.path, ...error.details } });
  }
}
