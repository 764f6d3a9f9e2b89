import { createPubSub } from 'graphql-yoga';

/**
 * Progress events. Channels are keyed by the node's database id, so a subscriber only receives
 * events of the run or operation it asked for.
 */
export type PubSubChannels = {
  'bulkOperation:progress': [id: number, payload: { id: number }];
  'synchronizationRun:progress': [id: number, payload: { id: number }];
};

export type PubSub = ReturnType<typeof createPubSub<PubSubChannels>>;

// TODO: pass a Redis event target (REDIS_URL) so events cross server instances.
export function createProgressPubSub(): PubSub {
  return createPubSub<PubSubChannels>();
}
