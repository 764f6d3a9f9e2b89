/**
 * Resolving what a rework request selects, by ids or by the outstanding list's filter, into a
 * fixed list of object ids in processing order. A filter is resolved once, when the request is
 * accepted: objects marked later are not swept in.
 */
import { and, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { objects } from '../../db/schema.ts';
import { queryRows } from '../../db/sql.ts';
import type { Actor } from '../actor.ts';
import type { ReworkMethod } from '../constraints.ts';
import { DomainError } from '../errors.ts';
import { joinObjectFacts } from '../object-reads.ts';
import { outstandingCondition, type OutstandingObjectFilter } from '../outstanding-filter.ts';
import { processingOrder } from './ordering.ts';
import { inTenantScope, tenantCondition, tenantScope } from '../tenant-scope.ts';

export interface SelectionRequest {
  method: ReworkMethod;
  objectIds?: readonly number[] | null;
  filter?: OutstandingObjectFilter | null;
  /** A dry run shows objects that are not outstanding among the constraints instead of failing. */
  allowNotOutstanding?: boolean;
}

export interface Selection {
  /** Object ids in processing order. */
  objectIds: number[];
  /** The tenants of those objects. */
  tenantIds: number[];
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

  const rows = await queryRows<{ requested: number | string; id: number | string | null; tenant_id: number | string | null; outstanding: boolean; display_name: string | null }>(
    db,
    sql`select r.id as requested, objects.id, objects.tenant_id, objects.outstanding_since is not null as outstanding, objects.display_name
        from unnest(${idArray(requested)}::bigint[]) as r(id)
        left join objects on objects.id = r.id
        order by (objects.id is null), ${processingOrder(request.method)}`,
  );

  const unknown = rows.filter((row) => row.id === null || !inScope(actor, row.tenant_id)).map((row) => Number(row.requested));
  if (unknown.length > 0) {
    const index = request.objectIds!.indexOf(unknown[0]!);
    throw new DomainError(
      'NOT_FOUND',
      `${unknown.length} selected object(s) do not exist${actor.tenantIds ? ' in your tenants' : ''}: ${listIds(unknown)}. ` +
        'They may have been deleted; reload the outstanding list and select again.',
      ['input', 'objectIds', String(index)],
      { objectIds: unknown },
    );
  }

  const notOutstanding = rows.filter((row) => !row.outstanding);
  if (notOutstanding.length > 0 && !request.allowNotOutstanding) {
    const names = notOutstanding.slice(0, 20).map((row) => `${row.display_name} (${row.id})`).join(', ');
    throw new DomainError(
      'NOT_OUTSTANDING',
      `${notOutstanding.length} selected object(s) are not outstanding, and only outstanding objects can be reworked: ${names}` +
        `${notOutstanding.length > 20 ? ', ...' : ''}. They were reworked already or never marked; leave them out.`,
      ['input', 'objectIds', String(request.objectIds!.indexOf(Number(notOutstanding[0]!.id)))],
      { objectIds: notOutstanding.map((row) => Number(row.id)) },
    );
  }
  return { objectIds: rows.map((row) => Number(row.id)), tenantIds: distinct(rows.map((row) => Number(row.tenant_id))) };
}

async function resolveFilter(db: Executor, actor: Actor, request: SelectionRequest, maxSize: number): Promise<Selection> {
  const condition = and(await outstandingCondition(db, request.filter!), tenantCondition(objects.tenantId, tenantScope(actor)));
  const rows = await joinObjectFacts(db.select({ id: objects.id, tenantId: objects.tenantId }).from(objects).$dynamic())
    .where(condition)
    .orderBy(processingOrder(request.method))
    .limit(maxSize + 1);
  if (rows.length === 0) {
    throw new DomainError('EMPTY_SELECTION', 'No outstanding object matches the filter, so there is nothing to rework. Check the filter against outstandingObjects.', ['input', 'filter']);
  }
  assertSize(rows.length, maxSize, 'filter');
  return { objectIds: rows.map((row) => row.id), tenantIds: distinct(rows.map((row) => row.tenantId)) };
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

function inScope(actor: Actor, tenantId: number | string | null): boolean {
  return inTenantScope(tenantScope(actor), tenantId === null ? null : Number(tenantId));
}

function listIds(ids: number[]): string {
  return ids.length > 20 ? `${ids.slice(0, 20).join(', ')}, ...` : ids.join(', ');
}

/** Formats ids as a PostgreSQL array literal, passed as one parameter whatever the selection's size. */
export function idArray(ids: readonly number[]): string {
  return `{${ids.join(',')}}`;
}
