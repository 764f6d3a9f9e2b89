/**
 * Per-request DataLoaders. Each list field fetches its data through a loader so a page of objects
 * costs a constant number of SQL queries, whatever the page size.
 */
import type DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import type { Context } from './context.ts';

const cache = new WeakMap<object, Map<string, DataLoader<unknown, unknown>>>();

/** Returns the request's loader for `key`, creating it on first use. */
export function loaderFor<K, V>(context: Context, key: string, create: (context: Context) => DataLoader<K, V>): DataLoader<K, V> {
  let loaders = cache.get(context);
  if (!loaders) {
    loaders = new Map();
    cache.set(context, loaders);
  }
  let loader = loaders.get(key);
  if (!loader) {
    loader = create(context) as DataLoader<unknown, unknown>;
    loaders.set(key, loader);
  }
  return loader as DataLoader<K, V>;
}

/** Parses the database id inside a global ID; anything but a positive integer is a client error. */
export function parseIntegerId(id: string | number): number {
  const value = typeof id === 'number' ? id : Number(id);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new GraphQLError(`Invalid ID: the part after the type name must be a positive integer, got ${JSON.stringify(id)}.`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return value;
}
