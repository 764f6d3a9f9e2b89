import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

/**
 * Progress events. Channels are keyed by the node's database id, so a subscriber only receives
 * events of the run or operation it asked for.
 */
export type PubSubChannels = {
  'bulkOperation:progress': [id: number, payload: { id: number }];
  'synchronizationRun:progress': [id: number, payload: { id: number }];
};

export type PubSub = ReturnType<typeof createPubSub<PubSubChannels>>;

/** The progress pub/sub of one process and the connections it holds. */
export interface ProgressPubSub {
  pubsub: PubSub;
  /** `redis` when events cross server instances, `memory` when they stay in this process. */
  transport: 'redis' | 'memory';
  /** Closes the Redis connections, if any. */
  close(): Promise<void>;
}

/**
 * Creates the progress pub/sub: over Redis when `redisUrl` is set, so a subscriber on one instance
 * receives the events published on another, else in this process's memory. Rejects when Redis
 * cannot be reached at start-up, so a wrong REDIS_URL stops the server instead of hiding events.
 */
export async function createProgressPubSub(redisUrl: string | undefined, logger: Logger): Promise<ProgressPubSub> {
  if (!redisUrl) return { pubsub: createPubSub<PubSubChannels>(), transport: 'memory', close: async () => undefined };

  const redis = redisLocation(redisUrl);
  const log = logger.child({ module: 'pubsub', redis });
  const publisher = new Redis(redisUrl, { lazyConnect: true, connectionName: 'syncrework-publish' });
  const subscriber = new Redis(redisUrl, { lazyConnect: true, connectionName: 'syncrework-subscribe' });

  // connect() rejects with a bare "Connection is closed.", so the first error event supplies the cause.
  let connectError: Error | undefined;
  const keepConnectError = (error: Error) => (connectError ??= error);
  publisher.on('error', keepConnectError);
  subscriber.on('error', keepConnectError);
  try {
    await Promise.all([publisher.connect(), subscriber.connect()]);
  } catch (error) {
    publisher.disconnect();
    subscriber.disconnect();
    const cause = connectError ?? (error as Error);
    const reason = cause.message.replace(/\.$/, '');
    throw new Error(`Cannot connect to Redis at ${redis} (REDIS_URL): ${reason}. Check that Redis runs there and accepts the URL's credentials, or unset REDIS_URL to keep events in this process.`, { cause });
  }
  publisher.off('error', keepConnectError);
  subscriber.off('error', keepConnectError);
  logConnectionState(publisher, 'publish', log);
  logConnectionState(subscriber, 'subscribe', log);
  log.info('progress events go through Redis');

  // The event target calls publish, subscribe and unsubscribe without handling their promises. A
  // rejected one (Redis down for longer than a command's retries, or a publish after close) would
  // be an unhandled rejection, which ends the process, so these wrappers catch and log them.
  // NOTE: the wrappers offer only the methods that @graphql-yoga/redis-event-target 3.0.4 calls.
  const reportFailure = rateLimitedWarning(log);
  const publishClient = {
    publish: (channel: string, message: string) => publisher.publish(channel, message).catch((error: Error) => reportFailure('publish', channel, error)),
  };
  const subscribeClient = {
    on: (event: 'message', listener: (channel: string, message: string) => void) => subscriber.on(event, listener),
    subscribe: (channel: string) => subscriber.subscribe(channel).catch((error: Error) => reportFailure('subscribe', channel, error)),
    unsubscribe: (channel: string) => subscriber.unsubscribe(channel).catch((error: Error) => reportFailure('unsubscribe', channel, error)),
  };
  const eventTarget = createRedisEventTarget<CustomEvent>({
    publishClient: publishClient as unknown as Redis,
    subscribeClient: subscribeClient as unknown as Redis,
  });

  return {
    pubsub: createPubSub<PubSubChannels>({ eventTarget }),
    transport: 'redis',
    close: async () => {
      await Promise.all([closeClient(publisher), closeClient(subscriber)]);
      log.info('Redis connections closed');
    },
  };
}

/** Returns the URL without user name and password, for logs and messages. */
function redisLocation(redisUrl: string): string {
  const url = new URL(redisUrl);
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

/**
 * Logs the first error of an outage and the reconnection, not every retry, because ioredis 5
 * reconnects on its own (at most 2 s apart by default) and emits an error each time.
 */
function logConnectionState(client: Redis, connection: 'publish' | 'subscribe', log: Logger) {
  let failing = false;
  client.on('error', (error: Error) => {
    if (failing) return;
    failing = true;
    log.error({ connection, err: error }, 'Redis connection failed, retrying. Subscribers see events from other instances only at their next poll (every 2 s) until it is back.');
  });
  client.on('ready', () => {
    if (failing) log.info({ connection }, 'Redis connection restored');
    failing = false;
  });
}

/** Logs failed commands at most once per 10 s, with the number of failures since the last line. */
function rateLimitedWarning(log: Logger) {
  let failures = 0;
  let lastLogged = 0;
  return (command: string, channel: string, error: Error) => {
    failures++;
    if (Date.now() - lastLogged < 10_000) return;
    log.warn({ command, channel, failures, err: error }, 'Redis command failed, so subscribers on other instances see the change only at their next poll');
    failures = 0;
    lastLogged = Date.now();
  };
}

/** Sends QUIT when connected, so queued events go out first; otherwise drops the connection. */
async function closeClient(client: Redis) {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // The connection broke while quitting; dropping it below is all that is left to do.
    }
  }
  client.disconnect();
}
