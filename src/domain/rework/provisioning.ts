/**
 * Provisioning of a published object: the job sends it to the target system through the connector
 * of its target system and records the outcome on the object (PENDING, SUCCEEDED, or FAILED with
 * the message), with a PUBLISH log entry and an audit record. The connector is called with no
 * transaction open; the outcome is written in a short one afterwards.
 */
import { eq, sql } from 'drizzle-orm';
import { ConnectorError, type ProvisioningRequest } from '../../connectors/types.ts';
import { objects } from '../../db/schema.ts';
import { backoffDelayMs } from '../../jobs/queue.ts';
import type { Actor } from '../actor.ts';
import { recordAudit } from '../audit.ts';
import type { EngineServices } from '../bulk-operations/services.ts';
import { connectorForTargetSystem } from '../connectors.ts';
import { DomainError } from '../errors.ts';
import { writeLogEntries } from '../log.ts';
import { memberKeyOfMembership } from '../object-reads.ts';
import { loadProvisioningSubject, type ProvisioningSubject } from './provisioning-subject.ts';

export interface ProvisioningJobPayload {
  objectId: number;
  bulkOperationId: number | null;
  requestedBy: string;
  requestedByRole: Actor['role'];
}

/** DONE: outcome stored (or nothing to do). RETRY / WAIT: run again after `delayMs`. WAIT does not count as an attempt. */
export type ProvisioningStep =
  | { kind: 'DONE'; status: 'SUCCEEDED' | 'FAILED' | 'SKIPPED'; message: string }
  | { kind: 'RETRY'; delayMs: number; message: string }
  | { kind: 'WAIT'; delayMs: number; message: string };

/** How often a membership looks again whether its group and member are provisioned. */
const SIDE_WAIT_MS = 1000;

export async function provisionObject(
  services: EngineServices,
  payload: ProvisioningJobPayload,
  attempt: { number: number; max: number },
): Promise<ProvisioningStep> {
  const log = services.logger.child({ module: 'provisioning', objectId: payload.objectId, bulkOperationId: payload.bulkOperationId, attempt: attempt.number });
  const subject = await loadProvisioningSubject(services.db, payload.objectId);
  if (!subject || subject.object.provisioningStatus !== 'PENDING') {
    log.info({ status: subject?.object.provisioningStatus ?? 'deleted' }, 'nothing to provision: the object was deleted or its provisioning is not pending');
    return { kind: 'DONE', status: 'SKIPPED', message: 'not pending' };
  }

  const sides = checkSides(subject);
  if (sides?.kind === 'WAIT') return sides;
  if (sides?.kind === 'FAIL') return finish(services, payload, subject, 'FAILED', sides.message, log);

  let message: string;
  try {
    const connector = await connectorForTargetSystem({ db: services.db, config: services.config }, subject.object.targetSystemId);
    const result = await connector.provision(requestOf(subject));
    message = result.message;
  } catch (error) {
    const transient = error instanceof ConnectorError ? error.transient : !(error instanceof DomainError);
    const reason = error instanceof Error ? error.message : String(error);
    if (transient && attempt.number < attempt.max) {
      const retryAfterMs = error instanceof ConnectorError ? (error.retryAfterMs ?? 0) : 0;
      const delayMs = Math.max(retryAfterMs, backoffDelayMs(attempt.number));
      const note = `Attempt ${attempt.number} of ${attempt.max} failed: ${reason} Retrying in ${Math.ceil(delayMs / 1000)} s.`;
      await services.db.update(objects).set({ provisioningMessage: note, provisioningUpdatedAt: new Date() }).where(eq(objects.id, subject.object.id));
      log.warn({ err: error, delayMs }, 'provisioning attempt failed; retrying later');
      return { kind: 'RETRY', delayMs, message: note };
    }
    const failure = transient ? `Gave up after ${attempt.number} attempts. The last one failed: ${reason}` : reason;
    return finish(services, payload, subject, 'FAILED', failure, log);
  }
  return finish(services, payload, subject, 'SUCCEEDED', message, log);
}

/** Checks that a membership's group and member are in the target system, which must hold them first. */
function checkSides(subject: ProvisioningSubject): { kind: 'WAIT'; delayMs: number; message: string } | { kind: 'FAIL'; message: string } | null {
  if (subject.object.containerId === null) return null;
  for (const [label, side] of [
    ['group', subject.container],
    ['member', subject.member],
  ] as const) {
    if (!side) return { kind: 'FAIL', message: `The membership's ${label} no longer exists in the database, so the membership cannot be published.` };
    if (side.provisioningStatus === 'PENDING') return { kind: 'WAIT', delayMs: SIDE_WAIT_MS, message: `waiting for the ${label} ${side.displayName} to be provisioned` };
    if (side.provisioningStatus === 'FAILED') {
      return {
        kind: 'FAIL',
        message: `The ${label} ${side.displayName} could not be provisioned (${side.provisioningMessage ?? 'no message'}), so the membership was not added. Retry the ${label} first, then this membership.`,
      };
    }
  }
  return null;
}

function requestOf(subject: ProvisioningSubject): ProvisioningRequest {
  const { object, container, member } = subject;
  return {
    tableName: subject.tableName,
    objectKey: object.key,
    properties: object.properties,
    membership:
      container && member
        ? { container: { key: container.key, properties: container.properties }, member: { key: member.key, properties: member.properties } }
        : undefined,
  };
}

async function finish(
  services: EngineServices,
  payload: ProvisioningJobPayload,
  subject: ProvisioningSubject,
  status: 'SUCCEEDED' | 'FAILED',
  message: string,
  log: EngineServices['logger'],
): Promise<ProvisioningStep> {
  const { object } = subject;
  const actor: Actor = { name: payload.requestedBy, kind: 'api-token', role: payload.requestedByRole, tenantIds: null };
  await services.db.transaction(async (tx) => {
    const updated = await tx
      .update(objects)
      .set({ provisioningStatus: status, provisioningMessage: message, provisioningUpdatedAt: new Date() })
      .where(sql`${objects.id} = ${object.id} and ${objects.provisioningStatus} = 'PENDING'`)
      .returning({ id: objects.id });
    if (updated.length === 0) return;
    const isMembership = object.containerId !== null;
    await writeLogEntries(tx, [
      {
        objectId: isMembership ? object.containerId! : object.id,
        method: 'PUBLISH',
        message: `${isMembership ? `Membership ${object.displayName}: p` : 'P'}rovisioning ${status === 'SUCCEEDED' ? 'succeeded' : 'failed'}: ${message}`,
        memberKey: isMembership ? memberKeyOfMembership(object) : null,
        bulkOperationId: payload.bulkOperationId,
      },
    ]);
    await recordAudit(tx, actor, {
      action: 'provisioning.publish',
      outcome: status,
      tenantId: object.tenantId,
      subjectType: 'TargetSystemObject',
      subjectId: object.id,
      details: { bulkOperationId: payload.bulkOperationId, displayName: object.displayName, message },
    });
  });
  if (status === 'SUCCEEDED') log.info({ message }, 'provisioning succeeded');
  else log.warn({ message }, 'provisioning failed');
  return { kind: 'DONE', status, message };
}
