/** The LinkState enum, shared by the account types and the account filter. */
import { builder } from './builder.ts';
import type { LINK_STATES } from '../domain/link-state.ts';

export const LinkState = builder.enumType('LinkState', {
  description: 'How far an account (mail user or mail contact) is linked to an identity.',
  values: {
    NOT_LINKED: { description: 'No identity.' },
    LINKED: { description: 'An identity but no account definition or manage level: "linked but not configured".' },
    LINKED_CONFIGURED: { description: 'An identity, an account definition and a manage level.' },
  } satisfies Record<(typeof LINK_STATES)[number], { description: string }>,
});
