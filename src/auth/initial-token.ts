/**
 * On the embedded database's first start, creates one admin API token so the new user can call
 * the API at once. It is shown once: on the terminal, outside the structured log, or (without a
 * terminal, e.g. as a service) in a file only the data folder's owner can read.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { count } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { Executor } from '../db/client.ts';
import { apiTokens } from '../db/schema.ts';
import { operatingSystemActor } from '../domain/actor.ts';
import { createApiToken } from '../domain/api-tokens.ts';
import type { Logger } from '../logger.ts';

export const INITIAL_TOKEN_FILE = 'initial-admin-token';

export async function ensureInitialAdminToken(db: Executor, config: Config, logger: Logger, terminal = process.stdout.isTTY === true): Promise<void> {
  if (config.DATABASE_URL) return;
  const [existing] = await db.select({ value: count() }).from(apiTokens);
  if ((existing?.value ?? 0) > 0) return;

  const { token } = await createApiToken(db, operatingSystemActor(), { name: 'initial-admin', role: 'admin' });
  const howToMakeMore = 'Create more with `npx syncrework token create --name <name> --role viewer|operator|admin`.';
  if (terminal) {
    process.stdout.write(
      `\nAn admin API token was created for this new installation. It is shown only now:\n\n  ${token}\n\n` +
        `Send it as \`Authorization: Bearer <token>\` (in GraphiQL: the Headers tab). ${howToMakeMore}\n\n`,
    );
    return;
  }
  const file = path.join(config.SYNCREWORK_DATA_DIR, INITIAL_TOKEN_FILE);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  logger.warn({ file }, `An admin API token for this new installation was written to the file named here; read it, then delete the file. ${howToMakeMore}`);
}
