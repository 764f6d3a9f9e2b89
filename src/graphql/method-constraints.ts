/**
 * Rework methods and their constraints as GraphQL types, shared by the outstanding list, the
 * rework preview and the rework mutation.
 */
import { builder } from './builder.ts';
import type { ConstraintReason as ConstraintReasonShape, MethodConstraint as MethodConstraintShape } from '../domain/constraints.ts';

export const ReworkMethod = builder.enumType('ReworkMethod', {
  description: 'How an outstanding object is reworked.',
  values: {
    DELETE: { description: 'Remove the object from the database at once, with its assignment rows.' },
    PUBLISH: { description: 'Create the object in the target system again and remove the outstanding mark.' },
    RESET: { description: 'Remove the outstanding mark and nothing else.' },
  } as const,
});

export const ConstraintReason = builder.objectRef<ConstraintReasonShape>('ConstraintReason').implement({
  description: 'One reason why a rework method is disabled for an object.',
  fields: (t) => ({
    code: t.exposeString('code', {
      description:
        'Stable code to branch on: NOT_OUTSTANDING, INDIRECT_MEMBERSHIP, HAS_INDIRECT_MEMBERSHIPS, TABLE_NOT_ASSIGNED, TABLE_NOT_PUBLISHABLE, TABLE_NOT_SUPPORTED_BY_CONNECTOR, NO_WRITE_ACCESS, CONTAINER_MISSING, MEMBER_MISSING, CONTAINER_OUTSTANDING or MEMBER_OUTSTANDING.',
    }),
    message: t.exposeString('message', { description: 'The reason and what to do about it, in English, for showing to people.' }),
  }),
});

export const MethodConstraint = builder.objectRef<MethodConstraintShape>('MethodConstraint').implement({
  description: 'Whether a rework method can run for an object, and if not, why.',
  fields: (t) => ({
    method: t.field({ type: ReworkMethod, description: 'The rework method.', resolve: (constraint) => constraint.method }),
    allowed: t.exposeBoolean('allowed', { description: 'True when the method can run; `reasons` is then empty.' }),
    reasons: t.field({
      type: [ConstraintReason],
      description: 'Every reason why the method is disabled; empty when it is allowed.',
      resolve: (constraint) => constraint.reasons,
    }),
  }),
});
