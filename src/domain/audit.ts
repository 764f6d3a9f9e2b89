/**
 * The audit trail: who did what, when, and with which outcome. Written in the same transaction as
 * the change it records, except for rejections, which change nothing else.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { auditEvents } from '../db/schema.ts';
import type { Actor } from './actor.ts';

export type AuditOutcome = 'SUCCEEDED' | 'FAILED' | 'REJECTED';

export interface AuditRecord {
  action: string;
  outcome: AuditOutcome;
  tenantId?: number | null;
  subjectType?: string;
  subjectId?: string | number;
  details?: Record<string, unknown>;
}

export async function recordAudit(db: Executor, actor: Actor, record: AuditRecord): Promise<void> {
  await db.insert(auditEvents).values({
    actor: actor.name,
    actorRole: actor.role,
    action: record.action,
    outcome: record.outcome,
    tenantId: record.tenantId ?? null,
    subjectType: record.subjectType ?? null,
    subjectId: record.subjectId === undefined ? null : String(record.subjectId),
    details: record.details ?? {},
  });
}

/**
 * The INSERT of one record per row of `source` (columns `action`, `outcome`, `tenant_id`,
 * `subject_type`, `subject_id` and `details`), as a fragment for the WITH clause of a statement
 * that changes thousands of objects at once and audits each of them.
 */
export function auditInsertSql(actor: Actor, source: SQL, at: Date): SQL {
  return sql`insert into audit_events (actor, actor_role, action, outcome, tenant_id, subject_type, subject_id, details, created_at)
    select ${actor.name}, ${actor.role}, s.action, s.outcome, s.tenant_id, s.subject_type, s.subject_id::text, s.details,
           ${at.toISOString()}::timestamptz
    from (${source}) as s`;
}

/** Records one entry per row of `source` in its own statement; see {@link auditInsertSql}. */
export async function recordAuditFromQuery(db: Executor, actor: Actor, source: SQL, at: Date = new Date()): Promise<void> {
  await db.execute(auditInsertSql(actor, source, at));
}
