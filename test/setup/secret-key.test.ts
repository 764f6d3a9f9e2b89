import { describe, expect, test } from 'vitest';
import { createRuntime, startServer } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { operatingSystemActor } from '../../src/domain/actor.ts';
import { createTenant } from '../../src/domain/tenants.ts';
import { createLogger } from '../../src/logger.ts';
import { createTestDatabase, testDatabaseKinds } from '../support/databases.ts';
import { newSecretKey } from './support.ts';

describe.each(testDatabaseKinds())('SECRET_KEY at start-up on %s', (kind) => {
  test('stored secrets need the key that encrypted them', async () => {
    const database = await createTestDatabase(kind);
    const logger = createLogger({ level: 'silent', format: 'json' });
    const key = newSecretKey();
    const config = (secretKey?: string) =>
      loadConfig({ NODE_ENV: 'test', PORT: '0', SEED_DEMO: 'false', SHUTDOWN_TIMEOUT_MS: '2000', ...database.env, ...(secretKey ? { SECRET_KEY: secretKey } : {}) });
    try {
      // Without stored secrets, no key is needed.
      const empty = await createRuntime(config(), logger);
      await empty.close();

      const server = await startServer(config(key), logger);
      await createTenant(
        server.runtime.services.db,
        {
          name: 'Fabrikam',
          primaryDomain: 'fabrikam.com',
          connector: { mode: 'HTTP', baseUrl: 'https://outlook.office365.com', tokenEndpoint: 'https://login.microsoftonline.com/fabrikam.com/oauth2/v2.0/token', clientId: 'app', clientSecret: 'secret' },
        },
        { actor: operatingSystemActor(), secretKey: key },
      );
      await server.close();

      await expect(createRuntime(config(), logger)).rejects.toThrow(
        'SECRET_KEY is missing, but the database contains encrypted connector secrets of 1 tenant(s) (Fabrikam)',
      );
      await expect(createRuntime(config(newSecretKey()), logger)).rejects.toThrow('SECRET_KEY does not decrypt the stored connector secrets of 1 tenant(s) (Fabrikam)');

      const runtime = await createRuntime(config(key), logger);
      await runtime.close();
    } finally {
      await database.drop();
    }
  });
});
