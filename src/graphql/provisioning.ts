/**
 * The `retryProvisioning` mutation: queue publishing again for objects whose provisioning failed.
 */
import { builder } from './builder.ts';
import { UserError, toPayload } from './errors.ts';
import { parseObjectIds } from './global-ids.ts';
import { objectLoader } from './object-loaders.ts';
import { TargetSystemObject } from './target-system-objects.ts';
import type { ObjectRow } from '../domain/object-reads.ts';
import { retryProvisioning } from '../domain/rework/retry-provisioning.ts';

const RetryProvisioningInput = builder.inputType('RetryProvisioningInput', {
  description: 'Objects whose provisioning failed, to publish to the target system again.',
  fields: (t) => ({
    objectIds: t.idList({ description: 'Objects whose `provisioning.status` is FAILED.' }),
  }),
});

const RetryProvisioningPayload = builder.simpleObject('RetryProvisioningPayload', {
  description: 'Result of `retryProvisioning`.',
  fields: (t) => ({
    objects: t.field({
      type: [TargetSystemObject],
      nullable: true,
      description: 'The objects, with provisioning PENDING again; null when `errors` is non-empty.',
    }),
    errors: t.field({ type: [UserError], description: 'Why nothing was queued (unknown, outstanding or not failed objects); empty on success.' }),
  }),
});

builder.mutationField('retryProvisioning', (t) =>
  t.field({
    description:
      'Queues provisioning again for objects whose provisioning FAILED, e.g. after write access was switched on. Each gets a new job with fresh retries; the outcome shows on the object.',
    type: RetryProvisioningPayload,
    args: { input: t.arg({ type: RetryProvisioningInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const selected = parseObjectIds(input.objectIds, 'input.objectIds');
      return toPayload(async () => {
        const retried = await retryProvisioning(context.services, context.actor, selected.ids, selected);
        const rows = await objectLoader(context).loadMany(retried);
        return { objects: rows.filter((row): row is ObjectRow => row !== null && !(row instanceof Error)) };
      });
    },
  }),
);
