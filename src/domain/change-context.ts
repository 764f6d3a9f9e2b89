/**
 * Context of a configuration change besides its input: who makes it (for the audit), where to log,
 * and the key that encrypts connector secrets.
 */
import type { Logger } from '../logger.ts';
import type { Actor } from './actor.ts';

export interface ChangeContext {
  actor: Actor;
  logger?: Logger;
  /** SECRET_KEY from the configuration; needed only to store or read connector secrets. */
  secretKey?: string;
}
