/**
 * The tenants a request may see and change. An API token can be limited to some tenants, so every
 * read and change of tenant data passes the actor's scope to the domain. The domain applies it as
 * a SQL condition (lists and counts) or as a check on loaded rows (lookups). Data of a tenant
 * outside the scope is reported exactly like data that does not exist.
 */
import { inArray, sql, type Column, type SQL } from 'drizzle-orm';
import type { Actor } from './actor.ts';

/** Ids of the tenants in scope; null means every tenant. */
export type TenantScope = readonly number[] | null;

/** Returns the scope of `actor`, which is its tenant limit, or null when it has none. */
export function tenantScope(actor: Pick<Actor, 'tenantIds'>): TenantScope {
  return actor.tenantIds;
}

/** True when `tenantId` is in scope. Data of no tenant (null) is in scope only without a limit. */
export function inTenantScope(scope: TenantScope, tenantId: number | null | undefined): boolean {
  return scope === null || (tenantId != null && scope.includes(tenantId));
}

/** Builds a WHERE condition that keeps rows whose `column` (a tenant id) is in scope. Without a limit it returns undefined. */
export function tenantCondition(column: Column, scope: TenantScope): SQL | undefined {
  if (scope === null) return undefined;
  // An empty limit cannot come from a token (it means "every tenant" there), but must select nothing.
  return scope.length > 0 ? inArray(column, [...scope]) : sql`false`;
}
