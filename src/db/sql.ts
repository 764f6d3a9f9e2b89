import type { SQL } from 'drizzle-orm';
import type { Executor } from './client.ts';

/**
 * Runs a raw SQL statement and returns its rows. The PGlite driver returns `{ rows }` and the
 * postgres.js driver an array, so raw statements go through here instead of `execute` directly.
 */
export async function queryRows<T extends Record<string, unknown>>(db: Executor, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
