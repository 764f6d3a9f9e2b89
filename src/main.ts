/**
 * The command line: `syncrework serve | migrate | seed-demo | ...`. Commands that need the database
 * run against it directly, or through the running server's socket when a server owns the embedded
 * data folder, so they behave the same with the server up or down.
 */
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { startServer } from './app.ts';
import { commands } from './cli/commands.ts';
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

export async function runDatabaseCommand(name: keyof typeof commands, args: Record<string, unknown>): Promise<void> {
  const config = readConfig();
  const print = (line: string) => process.stdout.write(`${line}\n`);

  if (!config.DATABASE_URL) {
    const holder = lockHolder(config.SYNCREWORK_DATA_DIR);
    if (holder !== null) {
      const socketPath = socketPathFor(config.SYNCREWORK_DATA_DIR);
      if (!existsSync(socketPath)) fail(new DataDirLockedError(config.SYNCREWORK_DATA_DIR, holder));
      process.exitCode = await runCommandOverSocket(socketPath, name, args, print).catch((error) => fail(error));
      return;
    }
  }

  // Only warnings reach the terminal, on stderr, so the command's own output stays readable.
  const logger = createLogger({ level: process.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn', format: config.LOG_FORMAT });
  const runtime = await createRuntime(config, logger).catch((error) => fail(error));
  try {
    process.exitCode = await commands[name]!({ runtime, actor: operatingSystemActor(), print }, args);
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
