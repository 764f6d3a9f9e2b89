/**
 * Global IDs of node types whose database id is a positive integer (all of them so far).
 *
 * The relay plugin resolves every node's `id` field with an async function. So the `id` of each
 * object on a page (about 300 on an outstanding page) is a pending promise, which the executor
 * waits for before it can finish the object. {@link resolveIntegerIdsSynchronously} swaps that
 * resolver for a synchronous one that returns the same string.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { parseIntegerId } from './loaders.ts';

const INTEGER_ID_EXTENSION = 'syncreworkIntegerId';

/** The `id` option of a node type whose global ID is its type name and integer `id` column. */
export const integerNodeId = {
  resolve: (row: { id: number }) => row.id,
  parse: (id: string) => parseIntegerId(id),
  extensions: { [INTEGER_ID_EXTENSION]: true },
};

/**
 * Replaces the resolver of each `id` field declared with {@link integerNodeId} by a synchronous
 * one. A field that another plugin wrapped (its resolver is no longer the relay plugin's own) keeps
 * its resolver, so no authorization or other wrapper is dropped.
 */
export function resolveIntegerIdsSynchronously(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType)) continue;
    const field = type.getFields().id;
    if (!field?.extensions?.[INTEGER_ID_EXTENSION] || field.resolve !== field.extensions.pothosOriginalResolve) continue;
    const typename = type.name;
    field.resolve = (row: { id: number }) => encodeGlobalID(typename, String(row.id));
  }
  return schema;
}
