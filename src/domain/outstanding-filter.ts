/**
 * The filter of the outstanding list, turned into one SQL condition over `objects` joined as
 * selectObjectRows joins it. The query API, the counts and the rework mutation's selection by
 * filter all read it from here.
 */
import { and, gte, inArray, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { objects, syncTables, targetSystems, targetSystemTypes, targetSystemTypeTables, tenants } from '../db/schema.ts';
import { methodAllowedCondition } from './constraint-conditions.ts';
import type { ReworkMethod } from './constraints.ts';
import { databaseIdLabel, DomainError, type IdLabel } from './errors.ts';
import type { LogMethod } from './log.ts';
import type { ObjectKind } from './object-reads.ts';
import { tenantCondition } from './tenant-scope.ts';

export interface OutstandingObjectFilter {
  syncTableIds?: number[] | null;
  targetSystemTypeIds?: number[] | null;
  tenantIds?: number[] | null;
  objectKinds?: ObjectKind[] | null;
  /** Only objects for which this method has no constraint (each object judged on its own). */
  canRun?: ReworkMethod | null;
  /** Marked outstanding at or after this time. */
  markedFrom?: Date | null;
  /** Marked outstanding before this time. */
  markedBefore?: Date | null;
  lastMethodRun?: LogMethod[] | null;
  hasLogEntry?: boolean | null;
  /** Words that must each start a word of the display name, case-insensitively. */
  search?: string | null;
  /** Tenants the caller may see (an API token can be limited to some); null or absent for all. */
  visibleTenantIds?: number[] | null;
  /** Renders the ids of each id list in error messages as the caller sent them; database ids by default. */
  idLabels?: Partial<Record<'syncTableIds' | 'targetSystemTypeIds' | 'tenantIds', IdLabel>> | null;
}

/** Fields of a filter that do not narrow what it selects. */
export const NON_CRITERIA: ReadonlySet<keyof OutstandingObjectFilter> = new Set(['visibleTenantIds', 'idLabels']);

export const MAX_SEARCH_LENGTH = 200;
const MAX_SEARCH_WORDS = 10;

/**
 * Text search on display names uses a GIN index over `to_tsvector('simple', display_name)` on the
 * outstanding rows, because pg_trgm (for substring search) is not available on PGlite. The cost:
 * a word matches only from its start ("mül" finds "Hans Müller", "ller" does not), and the
 * `simple` configuration splits at spaces and punctuation but keeps an e-mail address as one word.
 * The expression here must stay identical to the index's, or the planner ignores the index.
 */
export const displayNameWords = sql`to_tsvector('simple', ${objects.displayName})`;

/**
 * Builds the WHERE condition for outstanding objects matching `filter`, over `objects` joined as
 * selectObjectRows joins it (see filterNeedsObjectFacts). Ids that do not exist are rejected with
 * NOT_FOUND naming them, so a typo does not look like an empty list.
 */
export async function outstandingCondition(db: Executor, filter: OutstandingObjectFilter = {}): Promise<SQL> {
  await assertIdsExist(db, filter);
  const conditions: (SQL | undefined)[] = [isNotNull(objects.outstandingSince)];

  // An empty list matches no object, so a client that selected nothing never selects everything.
  if (filter.syncTableIds) conditions.push(inArray(objects.syncTableId, filter.syncTableIds));
  if (filter.tenantIds) conditions.push(inArray(objects.tenantId, filter.tenantIds));
  conditions.push(tenantCondition(objects.tenantId, filter.visibleTenantIds ?? null));
  if (filter.objectKinds) conditions.push(inArray(objects.syncTableId, tablesOfKinds(filter.objectKinds)));
  if (filter.targetSystemTypeIds) conditions.push(or(...filter.targetSystemTypeIds.map(targetSystemTypeCondition)) ?? sql`false`);
  if (filter.canRun) conditions.push(methodAllowedCondition(filter.canRun));
  conditions.push(markedCondition(filter));
  if (filter.lastMethodRun) conditions.push(inArray(objects.lastLogMethod, filter.lastMethodRun));
  if (filter.hasLogEntry != null) conditions.push(hasLogEntryCondition(filter.hasLogEntry));
  if (filter.search != null && filter.search.trim() !== '') {
    conditions.push(sql`${displayNameWords} @@ to_tsquery('simple', ${prefixQuery(filter.search)})`);
  }
  return and(...conditions)!;
}

/**
 * Objects of a target system type: those of its target systems, in the tables assigned to it. The
 * same rule as the type's outstanding count.
 */
export function targetSystemTypeCondition(targetSystemTypeId: number): SQL {
  const systems = sql`(select ${targetSystems.id} from ${targetSystems} where ${targetSystems.targetSystemTypeId} = ${targetSystemTypeId})`;
  const assignedTables = sql`(select ${targetSystemTypeTables.syncTableId} from ${targetSystemTypeTables} where ${targetSystemTypeTables.targetSystemTypeId} = ${targetSystemTypeId})`;
  return and(inArray(objects.targetSystemId, systems), inArray(objects.syncTableId, assignedTables))!;
}

function tablesOfKinds(kinds: readonly string[]): SQL {
  const list = sql.join(
    kinds.map((kind) => sql`${kind}`),
    sql`, `,
  );
  return kinds.length === 0 ? sql`(select null::bigint where false)` : sql`(select ${syncTables.id} from ${syncTables} where ${syncTables.objectKind} in (${list}))`;
}

/**
 * True when the condition reads the columns of the joined tables (sync_tables, target_systems,
 * target_system_types): only the `canRun` constraint conditions do. Every other part is written
 * against `objects` alone, so a count can skip the joins.
 */
export function filterNeedsObjectFacts(filter: OutstandingObjectFilter): boolean {
  return filter.canRun != null;
}

/**
 * The sort key of the "last log entry" order. Objects without an entry sort as `-infinity`, so a
 * keyset comparison never meets NULL.
 */
export const lastLogSortKey = sql`coalesce(${objects.lastLogAt}, '-infinity'::timestamptz)`;

function hasLogEntryCondition(hasLogEntry: boolean): SQL {
  return hasLogEntry ? isNotNull(objects.lastLogAt) : isNull(objects.lastLogAt);
}

function markedCondition(filter: OutstandingObjectFilter): SQL | undefined {
  const { markedFrom, markedBefore } = filter;
  if (markedFrom && markedBefore && markedFrom.getTime() >= markedBefore.getTime()) {
    throw new DomainError(
      'INVALID_INPUT',
      `Invalid date range: markedFrom (${markedFrom.toISOString()}) must be earlier than markedBefore (${markedBefore.toISOString()}).`,
      ['filter', 'markedFrom'],
    );
  }
  return and(
    markedFrom ? gte(objects.outstandingSince, markedFrom) : undefined,
    markedBefore ? lt(objects.outstandingSince, markedBefore) : undefined,
  );
}

/**
 * Turns the words of a search into a tsquery where every word must start a word of the display
 * name: `hans mül` becomes `'hans':* & 'mül':*`. Quoting keeps characters such as `&`, `|` and `!`
 * from being read as tsquery operators.
 */
export function prefixQuery(search: string): string {
  if (search.length > MAX_SEARCH_LENGTH) {
    throw new DomainError('INVALID_INPUT', `The search has ${search.length} characters; at most ${MAX_SEARCH_LENGTH} are allowed.`, ['filter', 'search']);
  }
  const words = search
    .trim()
    .split(/\s+/)
    .filter((word) => /[\p{L}\p{N}]/u.test(word));
  if (words.length === 0) {
    throw new DomainError('INVALID_INPUT', `The search ${JSON.stringify(search)} contains no letter or digit to search for.`, ['filter', 'search']);
  }
  if (words.length > MAX_SEARCH_WORDS) {
    throw new DomainError('INVALID_INPUT', `The search has ${words.length} words; at most ${MAX_SEARCH_WORDS} are allowed.`, ['filter', 'search']);
  }
  return words.map((word) => `'${word.replace(/\\/g, '\\\\').replace(/'/g, "''")}':*`).join(' & ');
}

async function assertIdsExist(db: Executor, filter: OutstandingObjectFilter): Promise<void> {
  const checks = [
    { key: 'syncTableIds', ids: filter.syncTableIds, field: 'tables', label: 'synchronization table', table: syncTables },
    { key: 'targetSystemTypeIds', ids: filter.targetSystemTypeIds, field: 'targetSystemTypes', label: 'target system type', table: targetSystemTypes },
    { key: 'tenantIds', ids: filter.tenantIds, field: 'tenants', label: 'tenant', table: tenants },
  ] as const;
  for (const check of checks) {
    if (!check.ids || check.ids.length === 0) continue;
    // A tenant outside the caller's limit is reported like one that does not exist.
    const visible = check.table === tenants ? tenantCondition(tenants.id, filter.visibleTenantIds ?? null) : undefined;
    const found = await db.select({ id: check.table.id }).from(check.table).where(and(inArray(check.table.id, check.ids), visible));
    const known = new Set(found.map((row) => row.id));
    const unknown = check.ids.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      const index = check.ids.indexOf(unknown[0]!);
      throw new DomainError(
        'NOT_FOUND',
        `Unknown ${check.label} in filter.${check.field}: no ${check.label} has the ID ${unknown.map(filter.idLabels?.[check.key] ?? databaseIdLabel).join(', ')}. Pass IDs read from this API.`,
        ['filter', check.field, String(index)],
        { ids: unknown },
      );
    }
  }
}
