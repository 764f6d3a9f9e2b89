/**
 * Composition of one process: database, migrations, built-in catalog, job worker, GraphQL, and
 * the HTTP server with its local command socket. The command line builds the same runtime without
 * HTTP when no server owns the data folder.
 */
import { chmodSync, rmSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createAuthenticator } from './auth/authenticate.ts';
import { ensureInitialAdminToken } from './auth/initial-token.ts';
import { RateLimiter } from './auth/rate-limit.ts';
import type { Config } from './config.ts';
import { openDatabase, runMigrations, type DatabaseHandle } from './db/client.ts';
import { acquireDataDirLock, type DataDirLock } from './db/data-dir-lock.ts';
import { checkMigrations } from './db/migrations-status.ts';
import { ensureBuiltInCatalog } from './domain/built-in-catalog.ts';
import { assertStoredSecretsReadable } from './domain/connectors.ts';
import { seedDemoData } from './demo/seed.ts';
import { recoverSynchronizationRuns } from './domain/synchronization/recovery.ts';
import { recoverBulkOperations } from './domain/bulk-operations/recovery.ts';
import { createSnapshotUploadRoute } from './http/snapshot-upload.ts';
import { scheduleLogPurge } from './jobs/synchronization-jobs.ts';
import type { Services } from './graphql/context.ts';
import { createProgressPubSub, type ProgressPubSub } from './graphql/pubsub.ts';
import { buildSchema } from './graphql/schema.ts';
import { createYogaServer } from './graphql/yoga.ts';
import { jobHandlers } from './jobs/handlers.ts';
import { LiveProgress } from './jobs/live-progress.ts';
import { JobWorker } from './jobs/queue.ts';
import type { Logger } from './logger.ts';
import { createCommandRoute } from './cli/socket-route.ts';
import { createHttpServer, type HttpServer, type Route } from './server.ts';

export interface Runtime {
  services: Services;
  database: DatabaseHandle;
  worker: JobWorker;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Apply migrations unless SKIP_MIGRATIONS is set. */
  migrate?: boolean;
  /** Start the job worker (the server does; a one-off command may not need it). */
  startWorker?: boolean;
  /** Called with every SQL statement; tests count queries with it. */
  onQuery?: (query: string) => void;
}

/** Opens the database for this process, locking the PGlite data folder first. */
export async function createRuntime(config: Config, logger: Logger, options: RuntimeOptions = {}): Promise<Runtime> {
  let lock: DataDirLock | undefined;
  if (!config.DATABASE_URL) lock = acquireDataDirLock(config.SYNCREWORK_DATA_DIR);

  let database: DatabaseHandle | undefined;
  let progressEvents: ProgressPubSub | undefined;
  try {
    database = await openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.SYNCREWORK_DATA_DIR,
      poolSize: config.DATABASE_POOL_SIZE,
      onQuery: options.onQuery,
    });
    if (options.migrate !== false && !config.SKIP_MIGRATIONS) {
      await runMigrations(database);
      logger.info({ database: database.location }, 'migrations applied');
    }
    await ensureBuiltInCatalog(database.db);
    await assertStoredSecretsReadable(database.db, config.SECRET_KEY);
    await recoverSynchronizationRuns(database.db, database.kind, logger);
    await recoverBulkOperations(database.db, database.kind, logger);
    await scheduleLogPurge(database.db, new Date(Date.now() + 5 * 60_000));
    progressEvents = await createProgressPubSub(config.REDIS_URL, logger);
  } catch (error) {
    // A PGlite folder must be closed before its lock is released, or the next opener corrupts it.
    await database?.close().catch(() => undefined);
    lock?.release();
    throw error;
  }

  const pubsub = progressEvents.pubsub;
  const services: Services = {
    config,
    db: database.db,
    databaseKind: database.kind,
    logger,
    pubsub,
    liveProgress: new LiveProgress(),
    notifyJobs: () => worker.notify(),
  };
  const worker = new JobWorker({ db: database.db, databaseKind: database.kind, logger, handlers: jobHandlers(services) });
  if (options.startWorker !== false) await worker.start();

  return {
    services,
    database,
    worker,
    close: async () => {
      await worker.stop(config.SHUTDOWN_TIMEOUT_MS);
      await progressEvents.close();
      await database.close();
      lock?.release();
    },
  };
}

export interface RunningServer {
  url: string;
  runtime: Runtime;
  http: HttpServer;
  /** The command socket, for PGlite data folders. */
  socketPath?: string;
  close(): Promise<void>;
}

export interface StartServerOptions extends Pick<RuntimeOptions, 'onQuery'> {
  /** More HTTP routes beside the product's, e.g. the benchmark's plain-SQL baseline. */
  extraRoutes?: (services: Services) => Route[];
}

/** Starts the whole server: runtime, demo data on an empty database, HTTP and the command socket. */
export async function startServer(config: Config, logger: Logger, options: StartServerOptions = {}): Promise<RunningServer> {
  const runtime = await createRuntime(config, logger, options);
  const { services, database } = runtime;

  if (config.SEED_DEMO && (await seedDemoData(services))) {
    logger.warn('Loaded the DEMO data set: fictitious tenants and recipients (contoso.com, adatum.com, tailspintoys.com). Set SEED_DEMO=false to start empty.');
  }

  const authenticator = createAuthenticator({ db: database.db, config, logger });
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const yoga = createYogaServer(buildSchema(), services, authenticator, metrics);
  const checkReadiness = async () => {
    try {
      await database.db.execute(sql`select 1`);
      return await checkMigrations(database);
    } catch (error) {
      return { ready: false, reason: `database unreachable: ${(error as Error).message}` };
    }
  };
  const http = createHttpServer({
    yoga,
    services,
    checkReadiness,
    authenticate: (headers) => authenticator.authenticate(headers),
    rateLimiter: new RateLimiter(config.RATE_LIMIT_PER_MINUTE),
    metrics,
    routes: [createSnapshotUploadRoute(services), ...(options.extraRoutes?.(services) ?? [])],
  });
  let url: string;
  try {
    url = await http.listen({ host: config.HOST, port: config.PORT });
  } catch (error) {
    // E.g. EADDRINUSE: give the data folder back before failing, so the next start finds it free.
    await runtime.close();
    throw error;
  }

  let socketServer: HttpServer | undefined;
  let socketPath: string | undefined;
  if (database.kind === 'pglite') {
    socketPath = `${config.SYNCREWORK_DATA_DIR}/syncrework.sock`;
    rmSync(socketPath, { force: true });
    socketServer = createHttpServer({
      yoga,
      services,
      checkReadiness,
      authenticate: async (headers) => socketActor(headers),
      routes: [createCommandRoute(runtime)],
    });
    await socketServer.listen({ path: socketPath });
    // Only the folder's owner may talk to the socket: it grants the admin role.
    chmodSync(socketPath, 0o600);
  }

  // Created once the server listens, so a start that fails shows no token that nobody can use yet.
  await ensureInitialAdminToken(database.db, config, logger);
  logger.info({ url, graphql: `${url}/graphql`, database: database.location, mode: config.NODE_ENV }, 'server started');

  return {
    url,
    runtime,
    http,
    socketPath,
    close: async () => {
      logger.info('server stopping');
      // Running jobs are asked to stop first: a BULK operation rolls back between chunks instead of
      // running on while the HTTP server waits for its open requests.
      const jobsStopped = runtime.worker.stop(config.SHUTDOWN_TIMEOUT_MS);
      await http.close(config.SHUTDOWN_TIMEOUT_MS);
      await socketServer?.close(config.SHUTDOWN_TIMEOUT_MS);
      if (socketPath) rmSync(socketPath, { force: true });
      await jobsStopped;
      await runtime.close();
      logger.info('server stopped');
    },
  };
}

function socketActor(headers: Record<string, string | undefined>) {
  const user = headers['x-syncrework-os-user'];
  const name = user && /^[\w.@-]{1,64}$/.test(user) ? `os:${user}` : 'os:unknown';
  return { name, kind: 'os-user' as const, role: 'admin' as const, tenantIds: null };
}
