/**
 * Reads of unresolved references: member rows whose group or member a synchronization run could
 * not find. The run keeps and resolves them (domain/synchronization/unresolved.ts).
 */
import { and, count, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { unresolvedReferences } from '../db/schema.ts';
import { keysetCondition, keysetOrderBy, type PageRequest } from '../graphql/pagination.ts';
import { tenantCondition } from './tenant-scope.ts';

export type UnresolvedReferenceRow = typeof unresolvedReferences.$inferSelect;

export interface UnresolvedReferenceFilter {
  tenantId?: number | null;
  /** The group's object id: references whose group is known and is this one. */
  groupId?: number | null;
  /** An actor limited to some tenants sees only theirs; null means every tenant. */
  visibleTenantIds?: number[] | null;
}

function filterCondition(filter: UnresolvedReferenceFilter): SQL | undefined {
  return and(
    filter.tenantId != null ? eq(unresolvedReferences.tenantId, filter.tenantId) : undefined,
    filter.groupId != null ? eq(unresolvedReferences.containerId, filter.groupId) : undefined,
    tenantCondition(unresolvedReferences.tenantId, filter.visibleTenantIds ?? null),
  );
}

const oldestFirst = { columns: [sql`${unresolvedReferences.id}`], descending: false };

export async function listUnresolvedReferences(db: Executor, page: PageRequest, filter: UnresolvedReferenceFilter): Promise<UnresolvedReferenceRow[]> {
  return db
    .select()
    .from(unresolvedReferences)
    .where(and(filterCondition(filter), keysetCondition(oldestFirst, page)))
    .orderBy(...keysetOrderBy(oldestFirst, page))
    .limit(page.limit + 1);
}

export async function countUnresolvedReferences(db: Executor, filter: UnresolvedReferenceFilter): Promise<number> {
  const [row] = await db.select({ value: count() }).from(unresolvedReferences).where(filterCondition(filter));
  return row?.value ?? 0;
}

export async function loadUnresolvedReferences(db: Executor, ids: readonly number[]): Promise<UnresolvedReferenceRow[]> {
  return db.select().from(unresolvedReferences).where(inArray(unresolvedReferences.id, [...ids]));
}
