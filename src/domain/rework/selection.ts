/**
 * Resolving what a rework request selects, by ids or by the outstanding list's filter, into a
 * fixed list of object ids in processing order. A filter is resolved once, when the request is
 * accepted: objects marked later are not swept in.
 */
import { and, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { objects } from '../../db/schema.ts';
import { queryRows } from '../../db/sql.ts';
import type { Actor } from '../actor.ts';
import type { ReworkMethod } from '../constraints.ts';
import { databaseIdLabel, DomainError, type IdLabel } from '../errors.ts';
import type { ObjectKind } from '../object-reads.ts';
import { methodAllowedCondition, objectFactsJoin } from '../constraint-conditions.ts';
import { NON_CRITERIA, outstandingCondition, type OutstandingObjectFilter } from '../outstanding-filter.ts';
import { processingOrder } from './ordering.ts';
import { inTenantScope, tenantCondition, tenantScope } from '../tenant-scope.ts';

export interface SelectionRequest {
  method: ReworkMethod;
  objectIds?: readonly number[] | null;
  filter?: OutstandingObjectFilter | null;
  /** A dry run shows objects that are not outstanding among the constraints instead of failing. */
  allowNotOutstanding?: boolean;
  /** Renders ids in error messages; database ids by default. */
  idLabel?: IdLabel;
  /**
   * The kind each id was given as (a global ID names the kind). An object of another kind does not
   * match and counts as not found, so a mistyped ID never selects an unrelated object.
   */
  expectedKind?: (id: number) => ObjectKind | undefined;
}

export interface Selection {
  /** Object ids in processing order. */
  objectIds: number[];
  /** The tenants of those objects. */
  tenantIds: number[];
  /**
   * Objects the SQL twins of the constraint rules flag for the method; computeConstraints decides.
   * Only a selection by ids has them.
   */
  suspects?: { id: number; displayName: string }[];
}

/** Resolves the selection into object ids in processing order. */
export async function resolveSelection(db: Executor, actor: Actor, request: SelectionRequest, maxSize: number): Promise<Selection> {
  const byIds = request.objectIds != null;
  if (byIds === (request.filter != null)) {
    throw new DomainError('INVALID_INPUT', 'Pass exactly one of `objectIds` and `filter` to select the objects to rework.', ['input', 'objectIds']);
  }
  return byIds ? resolveIds(db, actor, request, maxSize) : resolveFilter(db, actor, request, maxSize);
}

async function resolveIds(db: Executor, actor: Actor, request: SelectionRequest, maxSize: number): Promise<Selection> {
  const requested = [...new Set(request.objectIds!)];
  if (requested.length === 0) {
    throw new DomainError('EMPTY_SELECTION', 'The selection is empty: pass at least one object id in `objectIds`.', ['input', 'objectIds']);
  }
  assertSize(requested.length, maxSize, 'objectIds');

  const rows = await queryRows<{
    requested: number | string;
    id: number | string | null;
    tenant_id: number | string | null;
    outstanding: boolean;
    display_name: string | null;
    allowed: boolean | null;
    object_kind: ObjectKind | null;
  }>(
    db,
    sql`select r.id as requested, objects.id, objects.tenant_id, objects.outstanding_since is not null as outstanding, objects.display_name,
               ${methodAllowedCondition(request.method)} as allowed, sync_tables.object_kind
        from unnest(${idArray(requested)}::bigint[]) as r(id)
        left join (${objectFactsJoin}) on objects.id = r.id
        order by (objects.id is null), ${processingOrder(request.method)}`,
  );

  const label = request.idLabel ?? databaseIdLabel;
  const unknown = rows.filter((row) => row.id === null || !inScope(actor, row.tenant_id) || !ofExpectedKind(request, row)).map((row) => Number(row.requested));
  if (unknown.length > 0) {
    const index = request.objectIds!.indexOf(unknown[0]!);
    throw new DomainError(
      'NOT_FOUND',
      `${unknown.length} selected object(s) do not exist${actor.tenantIds ? ' in your tenants' : ''}: ${listIds(unknown.map(label))}. ` +
        'They may have been deleted; reload the outstanding list and select again.',
      ['input', 'objectIds', String(index)],
      { objectIds: unknown },
    );
  }

  const notOutstanding = rows.filter((row) => !row.outstanding);
  if (notOutstanding.length > 0 && !request.allowNotOutstanding) {
    const names = notOutstanding.slice(0, 20).map((row) => `${row.display_name} (${label(Number(row.id))})`).join(', ');
    throw new DomainError(
      'NOT_OUTSTANDING',
      `${notOutstanding.length} selected object(s) are not outstanding, and only outstanding objects can be reworked: ${names}` +
        `${notOutstanding.length > 20 ? ', ...' : ''}. They were reworked already or never marked; leave them out.`,
      ['input', 'objectIds', String(request.objectIds!.indexOf(Number(notOutstanding[0]!.id)))],
      { objectIds: notOutstanding.map((row) => Number(row.id)) },
    );
  }
  return {
    objectIds: rows.map((row) => Number(row.id)),
    tenantIds: distinct(rows.map((row) => Number(row.tenant_id))),
    suspects: rows.filter((row) => row.allowed === false).map((row) => ({ id: Number(row.id), displayName: row.display_name ?? '' })),
  };
}

async function resolveFilter(db: Executor, actor: Actor, request: SelectionRequest, maxSize: number): Promise<Selection> {
  const rows = await queryRows<{ id: number | string; tenant_id: number | string }>(
    db,
    sql`select s.id, s.tenant_id from (${await filterSelection(db, actor, request, maxSize)}) s order by s.position`,
  );
  assertFilterSize(rows.length, maxSize);
  return { objectIds: rows.map((row) => Number(row.id)), tenantIds: distinct(rows.map((row) => Number(row.tenant_id))) };
}

/** The outcome of storing a filter's selection: its size, its tenants and the objects the constraint conditions flag. */
export interface StoredFilterSelection {
  total: number;
  tenantIds: number[];
  /** Objects the SQL twins of the constraint rules flag for the method; computeConstraints decides. */
  suspects: { id: number; displayName: string }[];
}

/**
 * Resolves a filter straight into the items of operation `operationId`, inside the accepting
 * transaction: the ids of a large selection never travel to the server and back. The same
 * statement flags the objects the method may be disabled for.
 */
export async function storeFilterSelection(
  tx: Executor,
  actor: Actor,
  request: SelectionRequest,
  maxSize: number,
  operationId: number,
): Promise<StoredFilterSelection> {
  const [row] = await queryRows<{ total: number | string; tenant_ids: unknown; suspects: unknown }>(
    tx,
    sql`with selected as (${await filterSelection(tx, actor, request, maxSize)}),
        stored as (insert into bulk_operation_items (bulk_operation_id, position, object_id)
                   select ${operationId}, s.position, s.id from selected s)
        select count(*) as total,
               coalesce(jsonb_agg(distinct s.tenant_id), '[]'::jsonb) as tenant_ids,
               coalesce(jsonb_agg(jsonb_build_object('id', s.id, 'displayName', s.display_name) order by s.id) filter (where not s.allowed), '[]'::jsonb) as suspects
        from selected s`,
  );
  const total = Number(row?.total ?? 0);
  assertFilterSize(total, maxSize);
  const suspects = parseJson<{ id: number | string; displayName: string }[]>(row?.suspects);
  return {
    total,
    tenantIds: distinct(parseJson<(number | string)[]>(row?.tenant_ids).map(Number)),
    suspects: suspects.map((suspect) => ({ id: Number(suspect.id), displayName: suspect.displayName })),
  };
}

/**
 * Builds the query of the outstanding objects a filter selects now, in processing order, with the columns
 * `id`, `tenant_id`, `display_name`, `allowed` (no constraint condition flags the object for the
 * method) and `position` (1 is processed first). It stops one row past `maxSize`, so a selection
 * that is too large is recognized without reading all of it.
 */
async function filterSelection(db: Executor, actor: Actor, request: SelectionRequest, maxSize: number): Promise<SQL> {
  const condition = and(await outstandingCondition(db, request.filter!), tenantCondition(objects.tenantId, tenantScope(actor)));
  const order = processingOrder(request.method);
  return sql`select objects.id, objects.tenant_id, objects.display_name, ${methodAllowedCondition(request.method)} as allowed,
                    row_number() over (order by ${order}) as position
             from ${objectFactsJoin} where ${condition}
             order by ${order} limit ${maxSize + 1}`;
}

function assertFilterSize(size: number, maxSize: number): void {
  if (size === 0) {
    throw new DomainError('EMPTY_SELECTION', 'No outstanding object matches the filter, so there is nothing to rework. Check the filter against outstandingObjects.', ['input', 'filter']);
  }
  assertSize(size, maxSize, 'filter');
}

/** The PGlite driver returns jsonb parsed; a driver that returns text gets it parsed here. */
function parseJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/**
 * Rejects a filter without any criterion, because it would select every outstanding object of
 * every tenant the caller can see. A caller who means that names the tenants. A dry run may use
 * an empty filter, because it changes nothing.
 */
export function assertFilterHasCriteria(filter: OutstandingObjectFilter): void {
  const criteria = Object.entries(filter).filter(
    ([key, value]) => !NON_CRITERIA.has(key as keyof OutstandingObjectFilter) && value !== null && value !== undefined,
  );
  if (criteria.length > 0) return;
  throw new DomainError(
    'INVALID_INPUT',
    'The filter is empty, so it would select every outstanding object of every tenant you can see. ' +
      'Name at least one criterion, e.g. `tenants` or `tables`; use `dryRun: true` to preview everything.',
    ['input', 'filter'],
  );
}

function distinct(ids: number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

function assertSize(size: number, maxSize: number, field: string): void {
  if (size <= maxSize) return;
  throw new DomainError(
    'SELECTION_TOO_LARGE',
    `The selection holds ${field === 'filter' ? 'more than ' : ''}${field === 'filter' ? maxSize : size} objects; at most ${maxSize} (MAX_SELECTION_SIZE) can be reworked in one operation. ` +
      'Narrow the filter, e.g. by table or tenant, and submit several operations.',
    ['input', field],
    { maxSize },
  );
}

function ofExpectedKind(request: SelectionRequest, row: { requested: number | string; object_kind: ObjectKind | null }): boolean {
  const expected = request.expectedKind?.(Number(row.requested));
  return expected === undefined || expected === row.object_kind;
}

function inScope(actor: Actor, tenantId: number | string | null): boolean {
  return inTenantScope(tenantScope(actor), tenantId === null ? null : Number(tenantId));
}

function listIds(ids: string[]): string {
  return ids.length > 20 ? `${ids.slice(0, 20).join(', ')}, ...` : ids.join(', ');
}

/** Formats ids as a PostgreSQL array literal, passed as one parameter whatever the selection's size. */
export function idArray(ids: readonly number[]): string {
  return `{${ids.join(',')}}`;
}
