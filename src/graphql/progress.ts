/**
 * The shape every progress subscription follows: the current state first (so a late subscriber
 * misses nothing), then a new state after each event, at most one per `minIntervalMs` but never
 * skipping the final state, and the end of the stream after the final state.
 */
import { GraphQLError } from 'graphql';
import type { PubSub, PubSubChannels } from './pubsub.ts';

export interface WatchOptions<T> {
  pubsub: PubSub;
  channel: keyof PubSubChannels;
  id: number;
  load: () => Promise<T | null>;
  isFinal: (state: T) => boolean;
  notFoundMessage: string;
  /** Throttle: about 10 events a second by default. */
  minIntervalMs?: number;
  /** Reload even without events, so a missed event (another instance, no Redis) only delays. */
  pollIntervalMs?: number;
}

export async function* watchProgress<T>(options: WatchOptions<T>): AsyncGenerator<T> {
  const minInterval = options.minIntervalMs ?? 100;
  const pollInterval = options.pollIntervalMs ?? 2000;

  // Subscribe before the first read, so an event between the read and the subscription is not lost.
  const events = options.pubsub.subscribe(options.channel, options.id) as AsyncIterableIterator<unknown>;
  let wake: (() => void) | undefined;
  let dirty = false;
  let closed = false;
  const consume = (async () => {
    for await (const _event of events) {
      dirty = true;
      wake?.();
    }
  })();

  try {
    let state = await options.load();
    if (state === null) throw new GraphQLError(options.notFoundMessage, { extensions: { code: 'NOT_FOUND' } });
    yield state;
    let lastSent = Date.now();
    let lastJson = JSON.stringify(state);

    while (!options.isFinal(state)) {
      if (!dirty) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, pollInterval).unref();
        });
        wake = undefined;
      }
      const wait = lastSent + minInterval - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      dirty = false;

      const next = await options.load();
      if (next === null) return;
      state = next;
      const json = JSON.stringify(state);
      if (json === lastJson) continue;
      lastJson = json;
      yield state;
      lastSent = Date.now();
    }
  } finally {
    if (!closed) {
      closed = true;
      await events.return?.();
      await consume.catch(() => undefined);
    }
  }
}
