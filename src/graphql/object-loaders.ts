/**
 * Per-request DataLoaders of synchronized objects and what a page shows about them, so a page of
 * objects with their constraints, membership sides and log members costs the same few queries
 * whatever its size.
 */
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import type { Context } from './context.ts';
import { loaderFor } from './loaders.ts';
import { computeConstraints, type MethodConstraint } from '../domain/constraints.ts';
import { inTenantScope, tenantScope } from '../domain/tenant-scope.ts';
import { loadObjects, loadObjectsByKey, type ObjectKind, type ObjectRow } from '../domain/object-reads.ts';

/** The GraphQL type that shows each object kind; also the type name in its global ID. */
export const TYPE_NAME_BY_KIND: Record<ObjectKind, string> = {
  MAIL_USER: 'MailUser',
  MAIL_CONTACT: 'MailContact',
  DISTRIBUTION_GROUP: 'DistributionGroup',
  MEMBERSHIP: 'Membership',
  CUSTOM: 'CustomObject',
};

/** PostgreSQL takes at most 65,535 bound parameters per statement; larger batches are split. */
const BATCH_OPTIONS = { maxBatchSize: 5000 };

/** True when the request's actor may see objects of `tenantId` (tokens can be limited to tenants). */
export function isVisible(context: Context, tenantId: number): boolean {
  return inTenantScope(tenantScope(context.actor), tenantId);
}

/** Objects by id, with their table and target-system facts; null for unknown or hidden ids. */
export function objectLoader(context: Context): DataLoader<number, ObjectRow | null> {
  return loaderFor(
    context,
    'objects',
    () =>
      new DataLoader<number, ObjectRow | null>(async (ids) => {
        const rows = await loadObjects(context.db, ids);
        const byId = new Map(rows.filter((row) => isVisible(context, row.tenantId)).map((row) => [row.id, row]));
        return ids.map((id) => byId.get(id) ?? null);
      }, BATCH_OPTIONS),
  );
}

/**
 * Constraints of every method, each object judged on its own (an empty selection), which explain
 * why a method is disabled for a row. A rework judges its whole selection together.
 */
export function constraintsLoader(context: Context): DataLoader<number, MethodConstraint[]> {
  return loaderFor(
    context,
    'constraints',
    () =>
      new DataLoader<number, MethodConstraint[]>(async (ids) => {
        const constraints = await computeConstraints(context.db, ids, { selection: new Set() });
        return ids.map((id) => constraints.get(id) ?? new GraphQLError(`Object ${id} no longer exists.`, { extensions: { code: 'NOT_FOUND' } }));
      }, BATCH_OPTIONS),
  );
}

/** Loads the object a log entry names as its member, by target system and key; null when it is gone. */
export function memberByKeyLoader(context: Context): DataLoader<{ targetSystemId: number; key: string }, ObjectRow | null, string> {
  return loaderFor(
    context,
    'memberByKey',
    () =>
      new DataLoader<{ targetSystemId: number; key: string }, ObjectRow | null, string>(
        async (keys) => {
          const rows = await loadObjectsByKey(context.db, keys);
          const byKey = new Map(rows.filter((row) => isVisible(context, row.tenantId)).map((row) => [`${row.targetSystemId}:${row.key}`, row]));
          return keys.map((entry) => byKey.get(`${entry.targetSystemId}:${entry.key}`) ?? null);
        },
        { ...BATCH_OPTIONS, cacheKeyFn: (entry) => `${entry.targetSystemId}:${entry.key}` },
      ),
  );
}
