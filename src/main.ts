/**
 * The command line: `syncrework serve | migrate | seed-demo | ...`. Commands that need the database
 * run against it directly, or through the running server's socket when a server owns the embedded
 * data folder, so they behave the same with the server up or down.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { startServer } from './app.ts';
import { commands, executeCommand } from './cli/commands.ts';
import { runCommandOverSocket } from './cli/socket-client.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { DataDirLockedError, lockHolder, socketPathFor } from './db/data-dir-lock.ts';
import { operatingSystemActor } from './domain/actor.ts';
import { createLogger } from './logger.ts';
import { createRuntime } from './app.ts';

const program = new Command()
  .name('syncrework')
  .description('GraphQL API for reworking the objects a target-system synchronization marked outstanding.')
  .showHelpAfterError();

program
  .command('serve')
  .description('Start the GraphQL server (HOST, PORT and the other variables in the README configure it).')
  .action(async () => {
    const config = readConfig();
    const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
    const server = await startServer(config, logger).catch((error) => fail(error));
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutdown requested');
      await server.close();
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  });

program
  .command('migrate')
  .description('Apply database migrations and exit.')
  .action(() => runDatabaseCommand('migrate', {}));

program
  .command('seed-demo')
  .description('Load the demo data set (fictitious tenants and recipients) into an empty database.')
  .action(() => runDatabaseCommand('seed-demo', {}));

const token = program.command('token').description('Manage API tokens for integration clients.');

token
  .command('create')
  .description('Create an API token; it is printed once and stored only as a hash.')
  .requiredOption('--name <name>', 'name that identifies the client, e.g. "nightly-rework"')
  .requiredOption('--role <role>', 'viewer (read), operator (read, synchronize, rework, link) or admin (everything)')
  .option('--tenant <name...>', 'limit the token to these tenants (by name); repeat for several')
  .option('--expires <days>', 'days until the token expires (default: never)')
  .action((options: { name: string; role: string; tenant?: string[]; expires?: string }) => runDatabaseCommand('token-create', options));

token
  .command('list')
  .description('List API tokens: id, name, role, state and tenant limits (never the secret).')
  .action(() => runDatabaseCommand('token-list', {}));

token
  .command('revoke')
  .description('Revoke an API token by id; requests and open subscriptions with it fail at once.')
  .argument('<id>', 'token id from `syncrework token list`')
  .action((id: string) => runDatabaseCommand('token-revoke', { id }));

program
  .command('sync')
  .description('Run a synchronization of a tenant from snapshot files, wait for it and print its counts (exit code 1 unless it succeeded).')
  .requiredOption('--tenant <name>', 'name of the registered tenant whose target system the files come from')
  .option('--culture <tag>', 'culture of the exporting machine (e.g. de-DE), for dates in its own format')
  .option('--force', 'run even if the guard against mass removal would stop it')
  .argument('<paths...>', 'snapshot files (.json, .csv) or folders holding them')
  .action((paths: string[], options: { tenant: string; culture?: string; force?: boolean }) =>
    // Absolute paths, because a running server reads them in its own working folder.
    runDatabaseCommand('sync', { ...options, force: options.force === true, paths: paths.map((given) => path.resolve(given)) }),
  );

const tenant = program.command('tenant').description('Register and list tenants (Entra ID tenants with their Exchange Online target system).');

tenant
  .command('create')
  .description('Register a tenant with its Exchange Online target system and connector settings.')
  .requiredOption('--name <name>', 'unique name of the tenant, e.g. Contoso')
  .requiredOption('--domain <domain>', 'primary domain of the tenant, e.g. contoso.com')
  .option('--write-access <on|off>', 'whether the connector may publish objects (default on)')
  .option('--connector <simulated|http>', 'simulated organization (default) or the Exchange Online admin API')
  .option('--base-url <url>', 'http connector: base URL of the Exchange Online admin API, e.g. https://outlook.office365.com')
  .option('--token-endpoint <url>', 'http connector: Entra ID token endpoint, e.g. https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token')
  .option('--client-id <id>', 'http connector: application (client) id of the Entra ID app registration')
  .option('--client-secret-file <path>', 'http connector: file holding the client secret (or set SYNCREWORK_CLIENT_SECRET); stored encrypted with SECRET_KEY')
  .action((options: Record<string, string | undefined>) => {
    const { clientSecretFile, ...rest } = options;
    // Read here, never from the command line itself, where other users could see it in the process list.
    let clientSecret = process.env.SYNCREWORK_CLIENT_SECRET || undefined;
    if (clientSecretFile) {
      try {
        clientSecret = readFileSync(clientSecretFile, 'utf8').trim();
      } catch (error) {
        fail(new Error(`Cannot read --client-secret-file ${clientSecretFile}: ${(error as Error).message}`));
      }
    }
    return runDatabaseCommand('tenant-create', { ...rest, clientSecret });
  });

tenant
  .command('list')
  .description('List tenants: name, domain, connector, write access and object counts (never the client secret).')
  .action(() => runDatabaseCommand('tenant-list', {}));

const log = program.command('log').description('Manage the synchronization log.');

log
  .command('purge')
  .description('Delete log entries older than a number of days (LOG_RETENTION_DAYS unless given); the server also does this daily.')
  .option('--older-than <days>', 'age in days of the entries to delete')
  .action((options: { olderThan?: string }) =>
    runDatabaseCommand('log-purge', options.olderThan === undefined ? {} : { olderThanDays: parseDays(options.olderThan) }),
  );

function parseDays(value: string): number {
  if (!/^\d+$/.test(value)) fail(new Error(`Invalid --older-than ${JSON.stringify(value)}: pass a whole number of days, e.g. 90.`));
  return Number(value);
}

export async function runDatabaseCommand(name: keyof typeof commands, args: Record<string, unknown>): Promise<void> {
  const config = readConfig();
  const print = (line: string) => process.stdout.write(`${line}\n`);

  if (!config.DATABASE_URL) {
    const holder = lockHolder(config.SYNCREWORK_DATA_DIR);
    if (holder !== null) {
      const socketPath = socketPathFor(config.SYNCREWORK_DATA_DIR);
      if (!existsSync(socketPath)) {
        fail(
          new Error(
            `The data folder ${config.SYNCREWORK_DATA_DIR} is in use by process ${holder}, which has no command socket (it is not a running server). ` +
              'Wait until that command finishes, then run this one again.',
          ),
        );
      }
      process.exitCode = await runCommandOverSocket(socketPath, name, args, print).catch((error) => fail(error));
      return;
    }
  }

  // Only warnings reach the terminal, on stderr, so the command's own output stays readable.
  const logger = createLogger({ level: process.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn', format: config.LOG_FORMAT });
  const runtime = await createRuntime(config, logger).catch((error) => fail(error));
  try {
    process.exitCode = await executeCommand(commands[name]!, { runtime, actor: operatingSystemActor(), print }, args);
  } catch (error) {
    process.stderr.write(`Error: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await runtime.close();
  }
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    return fail(error);
  }
}

function fail(error: unknown): never {
  const message = error instanceof ConfigError || error instanceof DataDirLockedError ? error.message : `Error: ${(error as Error).message}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

await program.parseAsync(process.argv);
