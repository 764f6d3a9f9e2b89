/**
 * Composition of one process: database, migrations, built-in catalog, job worker, GraphQL, and
 * the HTTP server with its local command socket. The command line builds the same runtime without
 * HTTP when no server owns the data folder.
 */
import { chmodSync, rmSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { Config } from './config.ts';
import { openDatabase, runMigrations, type DatabaseHandle } from './db/client.ts';
import { acquireDataDirLock, type DataDirLock } from './db/data-dir-lock.ts';
import { checkMigrations } from './db/migrations-status.ts';
import { anonymousActor } from './domain/actor.ts';
import { ensureBuiltInCatalog } from './domain/built-in-catalog.ts';
import { seedDemoData } from './demo/seed.ts';
import type { Services } from './graphql/context.ts';
import { createProgressPubSub } from './graphql/pubsub.ts';
import { buildSchema } from './graphql/schema.ts';
import { createYogaServer } from './graphql/yoga.ts';
import { jobHandlers } from './jobs/handlers.ts';
import { LiveProgress } from './jobs/live-progress.ts';
import { JobWorker } from './jobs/queue.ts';
import type { Logger } from './logger.ts';
import { createCommandRoute } from './cli/socket-route.ts';
import { createHttpServer, type HttpServer } from './server.ts';

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
}

/** Opens the database for this process, locking the PGlite data folder first. */
export async function createRuntime(config: Config, logger: Logger, options: RuntimeOptions = {}): Promise<Runtime> {
  let lock: DataDirLock | undefined;
  if (!config.DATABASE_URL) lock = acquireDataDirLock(config.SYNCREWORK_DATA_DIR);

  let database: DatabaseHandle;
  try {
    database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.SYNCREWORK_DATA_DIR, poolSize: config.DATABASE_POOL_SIZE });
    if (options.migrate !== false && !config.SKIP_MIGRATIONS) {
      await runMigrations(database);
      logger.info({ database: database.location }, 'migrations applied');
    }
    await ensureBuiltInCatalog(database.db);
  } catch (error) {
    lock?.release();
    throw error;
  }

  const pubsub = createProgressPubSub();
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

/** Starts the whole server: runtime, demo data on an empty database, HTTP and the command socket. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const runtime = await createRuntime(config, logger);
  const { services, database } = runtime;

  if (config.SEED_DEMO && (await seedDemoData(database.db))) {
    logger.warn('Loaded the DEMO data set: fictitious tenants and recipients (contoso.com, adatum.com, tailspintoys.com). Set SEED_DEMO=false to start empty.');
  }

  const yoga = createYogaServer(buildSchema(), services);
  const checkReadiness = async () => {
    try {
      await database.db.execute(sql`select 1`);
      return await checkMigrations(database);
    } catch (error) {
      return { ready: false, reason: `database unreachable: ${(error as Error).message}` };
    }
  };
  const http = createHttpServer({ yoga, services, checkReadiness, authenticate: async () => anonymousActor() });
  const url = await http.listen({ host: config.HOST, port: config.PORT });

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

  logger.info({ url, graphql: `${url}/graphql`, database: database.location, mode: config.NODE_ENV }, 'server started');

  return {
    url,
    runtime,
    http,
    socketPath,
    close: async () => {
      logger.info('server stopping');
      await http.close(config.SHUTDOWN_TIMEOUT_MS);
      await socketServer?.close(config.SHUTDOWN_TIMEOUT_MS);
      if (socketPath) rmSync(socketPath, { force: true });
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
