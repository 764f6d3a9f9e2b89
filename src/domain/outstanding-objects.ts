/**
 * The outstanding list: a keyset-paginated, filtered and ordered read over every synchronization
 * table at once. Each order has a partial index on the outstanding rows (see src/db/schema.ts and
 * docs/query-api.md), alone and after the table and the tenant.
 */
import { and, count, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { objects } from '../db/schema.ts';
import { keysetCondition, keysetOrderBy, type KeysetOrder, type PageRequest } from '../graphql/pagination.ts';
import { countObjectRows, joinObjectFacts, objectRowColumns, type ObjectRow } from './object-reads.ts';
import { lastLogSortKey } from './outstanding-filter.ts';

export const OUTSTANDING_ORDER_FIELDS = ['MARKED_AT', 'DISPLAY_NAME', 'LAST_LOG_ENTRY'] as const;
export type OutstandingOrderField = (typeof OUTSTANDING_ORDER_FIELDS)[number];

export interface OutstandingOrder {
  field: OutstandingOrderField;
  direction: 'ASC' | 'DESC';
}

/** An outstanding object with its sort key in the database's text form, for the cursor. */
export type OutstandingObjectRow = ObjectRow & { sortKey: string };

/**
 * Sort keys by order field. Display names sort by `lower()`, because both databases compare text
 * byte by byte (C collation) and would put "zoe" after "Zack". The id breaks ties.
 */
const sortKeys: Record<OutstandingOrderField, { expression: SQL; type: string }> = {
  MARKED_AT: { expression: sql`${objects.outstandingSince}`, type: 'timestamptz' },
  DISPLAY_NAME: { expression: sql`lower(${objects.displayName})`, type: 'text' },
  LAST_LOG_ENTRY: { expression: lastLogSortKey, type: 'timestamptz' },
};

export function keysetOrderOf(order: OutstandingOrder): KeysetOrder {
  const key = sortKeys[order.field];
  return { columns: [key.expression, sql`${objects.id}`], descending: order.direction === 'DESC', types: [key.type, 'bigint'] };
}

/** Lists one page of the outstanding objects that match `condition` (from outstandingCondition). */
export async function listOutstandingObjects(
  db: Executor,
  condition: SQL,
  order: OutstandingOrder,
  page: PageRequest,
): Promise<OutstandingObjectRow[]> {
  const keyset = keysetOrderOf(order);
  const sortKey = sql<string>`(${sortKeys[order.field].expression})::text`;
  const rows = await joinObjectFacts(db.select({ ...objectRowColumns, sortKey }).from(objects).$dynamic())
    .where(and(condition, keysetCondition(keyset, page)))
    .orderBy(...keysetOrderBy(keyset, page))
    .limit(page.limit + 1);
  return rows as OutstandingObjectRow[];
}

/**
 * Counts the outstanding objects that match `condition`. Without `joinFacts` the count reads
 * `objects` alone, which lets the database count from a partial index; pass the result of
 * filterNeedsObjectFacts.
 */
export async function countOutstandingObjects(db: Executor, condition: SQL, options: { joinFacts: boolean }): Promise<number> {
  if (options.joinFacts) return countObjectRows(db, condition);
  const [row] = await db.select({ value: count() }).from(objects).where(condition);
  return row?.value ?? 0;
}
