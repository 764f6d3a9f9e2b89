/**
 * Commands that need the database. They run in the process that owns it: directly when no server
 * holds the data folder, or inside the server when the command line reaches it through its socket.
 */
import type { Runtime } from '../app.ts';
import type { Actor } from '../domain/actor.ts';
import { DomainError } from '../domain/errors.ts';
import { seedDemoData } from '../demo/seed.ts';
import { syncCommands } from './sync-commands.ts';
import { tenantCommands } from './tenant-commands.ts';
import { tokenCommands } from './token-commands.ts';

export interface CommandContext {
  runtime: Runtime;
  actor: Actor;
  /** Writes one line of output for the person at the terminal. */
  print: (line: string) => void;
}

/** Returns the exit code. Arguments arrive as JSON, so each command validates its own. */
export type Command = (context: CommandContext, args: Record<string, unknown>) => Promise<number>;

export const commands: Record<string, Command> = {
  ...tokenCommands,
  ...syncCommands,
  ...tenantCommands,

  migrate: async ({ print }) => {
    print('Migrations are applied.');
    return 0;
  },

  'seed-demo': async ({ runtime, print }) => {
    const loaded = await seedDemoData(runtime.services);
    print(loaded ? 'Loaded the demo data set.' : 'The database already holds tenants; the demo data set was not loaded.');
    return 0;
  },
};

/** Runs a command; an expected failure (a DomainError) is printed as `Error: ...` with exit code 1. */
export async function executeCommand(command: Command, context: CommandContext, args: Record<string, unknown>): Promise<number> {
  try {
    return await command(context, args);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    context.print(`Error: ${error.message}`);
    return 1;
  }
}
