/**
 * Keyset pagination for Relay connections. A cursor contains the sort-key values of its row, so a
 * page stays stable while rows are added before it. Offsets are never used.
 */
import { sql, type SQL } from 'drizzle-orm';
import { GraphQLError } from 'graphql';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export type CursorValue = string | number | null;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface PageRequest {
  /** `forward` reads after `cursor` in the sort order, `backward` reads before it. */
  direction: 'forward' | 'backward';
  limit: number;
  cursor: CursorValue[] | null;
}

export function encodeCursor(values: CursorValue[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, length: number, argument: string): CursorValue[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  const valid =
    Array.isArray(values) &&
    values.length === length &&
    values.every((value) => value === null || typeof value === 'string' || typeof value === 'number');
  if (!valid) {
    throw new GraphQLError(
      `Invalid cursor ${JSON.stringify(cursor)} in \`${argument}\`: pass a cursor from this connection's pageInfo or edges, with the same ordering.`,
      { extensions: { code: 'BAD_USER_INPUT', argument } },
    );
  }
  return values as CursorValue[];
}

/** Validates Relay arguments; rejects negative or oversized page sizes and mixed directions. */
export function parsePageArgs(args: PageArgs, cursorLength: number): PageRequest {
  const reject = (message: string, argument: string) => {
    throw new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argument } });
  };
  if (args.first != null && args.last != null) reject('Pass either `first` or `last`, not both.', 'first');
  for (const name of ['first', 'last'] as const) {
    const value = args[name];
    if (value != null && (value < 0 || value > MAX_PAGE_SIZE)) {
      reject(`Invalid \`${name}\`: ${value}. It must be between 0 and ${MAX_PAGE_SIZE}; page through larger results with cursors.`, name);
    }
  }

  if (args.last != null || (args.before != null && args.first == null)) {
    if (args.after != null) reject('`after` goes with `first`; use `before` with `last`.', 'after');
    return {
      direction: 'backward',
      limit: args.last ?? DEFAULT_PAGE_SIZE,
      cursor: args.before != null ? decodeCursor(args.before, cursorLength, 'before') : null,
    };
  }
  if (args.before != null) reject('`before` goes with `last`; use `after` with `first`.', 'before');
  return {
    direction: 'forward',
    limit: args.first ?? DEFAULT_PAGE_SIZE,
    cursor: args.after != null ? decodeCursor(args.after, cursorLength, 'after') : null,
  };
}

export interface KeysetOrder {
  /** Sort-key expressions, the last of which must be unique (the id). */
  columns: SQL[];
  descending: boolean;
  /**
   * SQL type of each cursor value, e.g. `timestamptz`, where the database cannot infer it from a
   * bare parameter. A timestamp travels in the cursor as the database's text form, which keeps its
   * microseconds (a JavaScript Date would round them to milliseconds and repeat rows across pages).
   */
  types?: (string | undefined)[];
}

/** Builds the WHERE condition that starts a page after (or before) the cursor, or returns undefined for the first page. */
export function keysetCondition(order: KeysetOrder, page: PageRequest): SQL | undefined {
  if (!page.cursor) return undefined;
  const readsAscending = order.descending === (page.direction === 'backward');
  const left = sql.join(order.columns, sql`, `);
  const right = sql.join(
    page.cursor.map((value, index) => {
      const type = order.types?.[index];
      return type ? sql`${value}::${sql.raw(type)}` : sql`${value}`;
    }),
    sql`, `,
  );
  return readsAscending ? sql`(${left}) > (${right})` : sql`(${left}) < (${right})`;
}

/** ORDER BY terms for the page; a backward page is read in reverse and flipped afterwards. */
export function keysetOrderBy(order: KeysetOrder, page: PageRequest): SQL[] {
  const readsAscending = order.descending === (page.direction === 'backward');
  return order.columns.map((column) => (readsAscending ? sql`${column} asc` : sql`${column} desc`));
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: () => Promise<number>;
}

/**
 * Builds the connection from `limit + 1` rows read in page order; the extra row only shows whether
 * another page exists.
 */
export function toConnection<T>(
  rows: T[],
  page: PageRequest,
  cursorOf: (row: T) => CursorValue[],
  totalCount: () => Promise<number>,
): Connection<T> {
  const hasMore = rows.length > page.limit;
  const pageRows = rows.slice(0, page.limit);
  if (page.direction === 'backward') pageRows.reverse();

  const edges = pageRows.map((row) => ({ cursor: encodeCursor(cursorOf(row)), node: row }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.direction === 'forward' ? hasMore : page.cursor !== null,
      hasPreviousPage: page.direction === 'backward' ? hasMore : page.cursor !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}
