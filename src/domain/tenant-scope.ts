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

/**
 * True when data of several tenants (a bulk operation) is in scope. With a limit, the data must
 * name at least one tenant and every one of them must be in scope, so data of no tenant stays
 * hidden from a limited token, as in `inTenantScope`.
 */
export function allInTenantScope(scope: TenantScope, tenantIds: readonly number[]): boolean {
  if (scope === null) return true;
  return tenantIds.length > 0 && tenantIds.every((tenantId) => scope.includes(tenantId));
}

/** Builds a WHERE condition that keeps rows whose `column` (a tenant id) is in scope. Without a limit it returns undefined. */
export function tenantCondition(column: Column, scope: TenantScope): SQL | undefined {
  if (scope === null) return undefined;
  // An empty limit cannot come from a token (it means "every tenant" there), but must select nothing.
  return scope.length > 0 ? inArray(column, [...scope]) : sql`false`;
}

/**
 * Builds a WHERE condition with the rule of `allInTenantScope` for `column`, a JSON array of tenant
 * ids. Without a limit it returns undefined.
 */
export function allInTenantScopeCondition(column: Column, scope: TenantScope): SQL | undefined {
  if (scope === null) return undefined;
  return sql`(jsonb_array_length(${column}) > 0 and ${column} <@ ${JSON.stringify(scope)}::jsonb)`;
}
