/**
 * Runs a configuration change in one transaction and records a REJECTED audit entry when a rule
 * rejects it. The rejection is written after the transaction rolled back, so it survives while
 * the rejected change does not. Successful changes record their own entry inside the transaction.
 */
import type { Executor, Transaction } from '../db/client.ts';
import type { Actor } from './actor.ts';
import { recordAudit, type AuditRecord } from './audit.ts';
import { DomainError } from './errors.ts';

export type AuditSubject = Omit<AuditRecord, 'outcome'>;

export async function runAudited<T>(db: Executor, actor: Actor, subject: AuditSubject, work: (tx: Transaction) => Promise<T>): Promise<T> {
  try {
    return await db.transaction(work);
  } catch (error) {
    if (error instanceof DomainError) {
      await recordAudit(db, actor, {
        ...subject,
        outcome: 'REJECTED',
        details: { ...subject.details, code: error.code, reason: error.message },
      });
    }
    throw error;
  }
}
