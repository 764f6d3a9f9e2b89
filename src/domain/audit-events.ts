/**
 * Reads of the audit trail, newest first. Each filter has an index: actor and subject with the id
 * (audit_events_actor_idx, audit_events_subject_idx), time on created_at.
 */
import { and, count, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { auditEvents } from '../db/schema.ts';
import { keysetCondition, keysetOrderBy, type PageRequest } from '../graphql/pagination.ts';
import { tenantCondition } from './tenant-scope.ts';

export type AuditEventRow = typeof auditEvents.$inferSelect;

export interface AuditEventFilter {
  actor?: string | null;
  actions?: string[] | null;
  outcomes?: string[] | null;
  /** The subject, e.g. `{ type: 'TargetSystemObject', id: 12 }`. */
  subject?: { type: string; id: number } | null;
  /** At or after this time. */
  from?: Date | null;
  /** Before this time. */
  to?: Date | null;
  /** Only records of these tenants; null for every record. A token limited to tenants reads no records without a tenant. */
  visibleTenantIds?: number[] | null;
}

function filterCondition(filter: AuditEventFilter): SQL | undefined {
  return and(
    filter.actor ? eq(auditEvents.actor, filter.actor) : undefined,
    filter.actions ? inArray(auditEvents.action, filter.actions) : undefined,
    filter.outcomes ? inArray(auditEvents.outcome, filter.outcomes) : undefined,
    filter.subject ? and(eq(auditEvents.subjectId, String(filter.subject.id)), eq(auditEvents.subjectType, filter.subject.type)) : undefined,
    filter.from ? gte(auditEvents.createdAt, filter.from) : undefined,
    filter.to ? lt(auditEvents.createdAt, filter.to) : undefined,
    tenantCondition(auditEvents.tenantId, filter.visibleTenantIds ?? null),
  );
}

const newestFirst = { columns: [sql`${auditEvents.id}`], descending: true };

export async function listAuditEvents(db: Executor, filter: AuditEventFilter, page: PageRequest): Promise<AuditEventRow[]> {
  return db
    .select()
    .from(auditEvents)
    .where(and(filterCondition(filter), keysetCondition(newestFirst, page)))
    .orderBy(...keysetOrderBy(newestFirst, page))
    .limit(page.limit + 1);
}

export async function countAuditEvents(db: Executor, filter: AuditEventFilter): Promise<number> {
  const [row] = await db.select({ value: count() }).from(auditEvents).where(filterCondition(filter));
  return row?.value ?? 0;
}

export async function loadAuditEvents(db: Executor, ids: readonly number[]): Promise<AuditEventRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(auditEvents).where(inArray(auditEvents.id, [...ids]));
}
