/**
 * The outstanding list: `outstandingObjects` on the query root, on each synchronization table and
 * on each target system type, with one filter and one ordering. The rework mutation takes the same
 * filter and parses it with {@link parseOutstandingFilter}.
 */
import { and, eq } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { parseLabelledIds } from './global-ids.ts';
import { LogMethod } from './log-entries.ts';
import { ReworkMethod } from './method-constraints.ts';
import { parsePageArgs, toConnection, type PageArgs, type PageRequest } from './pagination.ts';
import { withQueryErrors } from './query-errors.ts';
import { SyncTable } from './sync-tables.ts';
import { TargetSystemObject, TargetSystemObjectConnection } from './target-system-objects.ts';
import { TargetSystemType } from './target-system-types.ts';
import { objects } from '../db/schema.ts';
import type { ReworkMethod as ReworkMethodName } from '../domain/constraints.ts';
import type { LogMethod as LogMethodName } from '../domain/log.ts';
import type { OBJECT_KINDS, ObjectKind as ObjectKindName } from '../domain/object-reads.ts';
import {
  filterNeedsObjectFacts,
  MAX_SEARCH_LENGTH,
  outstandingCondition,
  targetSystemTypeCondition,
  type OutstandingObjectFilter as DomainFilter,
} from '../domain/outstanding-filter.ts';
import { countOutstandingObjects, listOutstandingObjects, type OutstandingOrder } from '../domain/outstanding-objects.ts';

export const ObjectKind = builder.enumType('ObjectKind', {
  description: 'Which GraphQL type shows the objects of a synchronization table.',
  values: {
    MAIL_USER: { description: 'Mail users (`MailUser`).' },
    MAIL_CONTACT: { description: 'Mail contacts (`MailContact`).' },
    DISTRIBUTION_GROUP: { description: 'Distribution groups (`DistributionGroup`).' },
    MEMBERSHIP: { description: 'Rows of member lists (`Membership`).' },
    CUSTOM: { description: 'Rows of custom tables (`CustomObject`).' },
  } satisfies Record<(typeof OBJECT_KINDS)[number], { description: string }>,
});

export const OrderDirection = builder.enumType('OrderDirection', {
  description: 'Sort direction.',
  values: { ASC: { description: 'Smallest or earliest first.' }, DESC: { description: 'Largest or latest first.' } } as const,
});

const OutstandingObjectOrderField = builder.enumType('OutstandingObjectOrderField', {
  description: 'What the outstanding list is sorted by; ties are broken by creation order.',
  values: {
    MARKED_AT: { description: 'When the object was marked outstanding.' },
    DISPLAY_NAME: { description: 'Display name, ignoring case.' },
    LAST_LOG_ENTRY: { description: 'Time of the newest log entry; objects without one come first in ascending order.' },
  } as const,
});

const OutstandingObjectOrder = builder.inputType('OutstandingObjectOrder', {
  description: 'Sort order of the outstanding list.',
  fields: (t) => ({
    field: t.field({ type: OutstandingObjectOrderField, required: false, defaultValue: 'MARKED_AT', description: 'What to sort by.' }),
    direction: t.field({ type: OrderDirection, required: false, defaultValue: 'DESC', description: 'Which way.' }),
  }),
});

export const OutstandingObjectFilter = builder.inputType('OutstandingObjectFilter', {
  description: 'Selects outstanding objects. Every field narrows the selection; an absent field does not, and an empty list matches nothing.',
  fields: (t) => ({
    tables: t.idList({ required: false, description: 'Only objects of these synchronization tables (SyncTable IDs).' }),
    targetSystemTypes: t.idList({
      required: false,
      description: 'Only objects of target systems of these types, in the tables assigned to the type (TargetSystemType IDs).',
    }),
    tenants: t.idList({ required: false, description: 'Only objects of these tenants (Tenant IDs).' }),
    objectKinds: t.field({ type: [ObjectKind], required: false, description: 'Only objects of these kinds.' }),
    canRun: t.field({
      type: ReworkMethod,
      required: false,
      description: 'Only objects for which this method has no constraint, each judged on its own: PUBLISH lists the publishable ones.',
    }),
    markedFrom: t.field({ type: 'DateTime', required: false, description: 'Only objects marked outstanding at or after this time.' }),
    markedBefore: t.field({ type: 'DateTime', required: false, description: 'Only objects marked outstanding before this time.' }),
    lastMethodRun: t.field({ type: [LogMethod], required: false, description: 'Only objects whose newest log entry has one of these methods.' }),
    hasLogEntry: t.boolean({ required: false, description: 'true: only objects with a log entry; false: only objects without one.' }),
    search: t.string({
      required: false,
      description: `Words that must each start a word of the display name, ignoring case: "ann le" finds "Ann Lee". At most ${MAX_SEARCH_LENGTH} characters.`,
    }),
  }),
});

export interface OutstandingFilterInput {
  tables?: readonly (string | number)[] | null;
  targetSystemTypes?: readonly (string | number)[] | null;
  tenants?: readonly (string | number)[] | null;
  objectKinds?: readonly ObjectKindName[] | null;
  canRun?: ReworkMethodName | null;
  markedFrom?: Date | null;
  markedBefore?: Date | null;
  lastMethodRun?: readonly LogMethodName[] | null;
  hasLogEntry?: boolean | null;
  search?: string | null;
}

/**
 * Parses the GraphQL filter into the domain filter, limited to the tenants the actor may see.
 * `argument` names the filter in error messages, e.g. `filter` or `input.filter`.
 */
export function parseOutstandingFilter(input: OutstandingFilterInput | null | undefined, context: Context, argument = 'filter'): DomainFilter {
  // Null stays null (no restriction); the labels render the ids as sent, for error messages.
  const list = (values: readonly (string | number)[] | null | undefined, typename: string, field: string) =>
    values == null ? { ids: null, idLabel: undefined } : parseLabelledIds(values, [typename], `${argument}.${field}`);
  const tables = list(input?.tables, 'SyncTable', 'tables');
  const types = list(input?.targetSystemTypes, 'TargetSystemType', 'targetSystemTypes');
  const tenants = list(input?.tenants, 'Tenant', 'tenants');
  return {
    syncTableIds: tables.ids,
    targetSystemTypeIds: types.ids,
    tenantIds: tenants.ids,
    idLabels: { syncTableIds: tables.idLabel, targetSystemTypeIds: types.idLabel, tenantIds: tenants.idLabel },
    objectKinds: input?.objectKinds ? [...input.objectKinds] : null,
    canRun: input?.canRun ?? null,
    markedFrom: input?.markedFrom ?? null,
    markedBefore: input?.markedBefore ?? null,
    lastMethodRun: input?.lastMethodRun ? [...input.lastMethodRun] : null,
    hasLogEntry: input?.hasLogEntry ?? null,
    search: input?.search ?? null,
    visibleTenantIds: context.actor.tenantIds,
  };
}

interface ListArgs extends PageArgs {
  filter?: OutstandingFilterInput | null;
  orderBy?: { field?: OutstandingOrder['field'] | null; direction?: OutstandingOrder['direction'] | null } | null;
}

/**
 * Reads the page. The cursor carries the ordering it was made for as its first value, so a cursor
 * passed with another `orderBy` is rejected instead of starting at a wrong place.
 */
async function resolveList(args: ListArgs, context: Context, scope?: { syncTableId?: number; targetSystemTypeId?: number }) {
  const order: OutstandingOrder = { field: args.orderBy?.field ?? 'MARKED_AT', direction: args.orderBy?.direction ?? 'DESC' };
  const orderTag = `${order.field}:${order.direction}`;
  const request = parsePageArgs(args, 3);
  if (request.cursor && request.cursor[0] !== orderTag) {
    throw new GraphQLError(
      `The cursor was made for the order ${String(request.cursor[0])}, but this request sorts by ${orderTag}. Start again without a cursor, or pass the same orderBy.`,
      { extensions: { code: 'BAD_USER_INPUT', argument: request.direction === 'forward' ? 'after' : 'before' } },
    );
  }
  const page: PageRequest = { ...request, cursor: request.cursor ? request.cursor.slice(1) : null };

  const filter = parseOutstandingFilter(args.filter, context);
  const filterCondition = await withQueryErrors(() => outstandingCondition(context.db, filter));
  const condition = and(
    filterCondition,
    scope?.syncTableId === undefined ? undefined : eq(objects.syncTableId, scope.syncTableId),
    scope?.targetSystemTypeId === undefined ? undefined : targetSystemTypeCondition(scope.targetSystemTypeId),
  )!;

  const rows = await listOutstandingObjects(context.db, condition, order, page);
  const joinFacts = filterNeedsObjectFacts(filter);
  return toConnection(rows, page, (row) => [orderTag, row.sortKey, row.id], () => countOutstandingObjects(context.db, condition, { joinFacts }));
}

type ArgBuilder = Parameters<Parameters<typeof builder.queryField>[1]>[0]['arg'];

const listArgs = (arg: ArgBuilder) => ({
  filter: arg({ type: OutstandingObjectFilter, required: false, description: 'Which outstanding objects to list; all when absent.' }),
  orderBy: arg({ type: OutstandingObjectOrder, required: false, description: 'Sort order; newest marked first when absent.' }),
});

builder.queryField('outstandingObjects', (t) =>
  t.connection(
    {
      description: 'Outstanding objects of every synchronization table: objects that no longer exist in their target system and wait for a rework.',
      type: TargetSystemObject,
      args: listArgs(t.arg),
      resolve: (_root, args, context) => resolveList(args, context),
    },
    TargetSystemObjectConnection,
  ),
);

builder.objectField(SyncTable, 'outstandingObjects', (t) =>
  t.connection(
    {
      description: 'Outstanding objects of this table.',
      type: TargetSystemObject,
      args: listArgs(t.arg),
      resolve: (table, args, context) => resolveList(args, context, { syncTableId: table.id }),
    },
    TargetSystemObjectConnection,
  ),
);

builder.objectField(TargetSystemType, 'outstandingObjects', (t) =>
  t.connection(
    {
      description: 'Outstanding objects of target systems of this type, in the tables assigned to it; `outstandingCount` counts the same.',
      type: TargetSystemObject,
      args: listArgs(t.arg),
      resolve: (type, args, context) => resolveList(args, context, { targetSystemTypeId: type.id }),
    },
    TargetSystemObjectConnection,
  ),
);
