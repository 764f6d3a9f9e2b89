/**
 * The audit trail: who did what, when, and with which outcome. Written in the same transaction as
 * the change it records, except for rejections, which change nothing else.
 */
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
