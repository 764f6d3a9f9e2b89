import type { Config } from '../config.ts';
import type { Database, DatabaseKind } from '../db/client.ts';
import type { Actor } from '../domain/actor.ts';
import type { Logger } from '../logger.ts';
import type { LiveProgress } from '../jobs/live-progress.ts';
import type { PubSub } from './pubsub.ts';

/** Long-lived services of one server process, shared by every request. */
export interface Services {
  config: Config;
  db: Database;
  databaseKind: DatabaseKind;
  logger: Logger;
  pubsub: PubSub;
  liveProgress: LiveProgress;
  /** Wakes this process's job worker after a job was enqueued and committed. */
  notifyJobs: () => void;
}

/** Per-request context. The database handle travels here so a transaction can stand in for it. */
export interface Context {
  services: Services;
  db: Database;
  actor: Actor;
  requestId: string;
  logger: Logger;
}
