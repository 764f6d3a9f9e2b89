/**
 * The order in which a rework processes its selection. Publishing a membership needs its
 * container and member in the target system, so objects go before memberships; deleting a
 * container takes its assignment rows, so memberships go first and are deleted (and logged on the
 * container) on their own. Within those groups, and for RESET, the order is by id: stable, so a
 * resumed SEQUENTIAL operation continues where it stopped.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { ReworkMethod } from '../constraints.ts';

/** ORDER BY terms over `objects` (unaliased); assignment rows are the rows with a container. */
export function processingOrder(method: ReworkMethod): SQL {
  if (method === 'PUBLISH') return sql`(objects.container_id is not null), objects.id`;
  if (method === 'DELETE') return sql`(objects.container_id is null), objects.id`;
  return sql`objects.id`;
}
