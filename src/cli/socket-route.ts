/**
 * `POST /local/commands/<name>` on the server's Unix socket: runs a command inside the server that
 * owns the PGlite data folder and streams its output as newline-delimited JSON.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Runtime } from '../app.ts';
import type { Actor } from '../domain/actor.ts';
import type { Route } from '../server.ts';
import { commands, executeCommand } from './commands.ts';

export type CommandMessage = { type: 'output'; line: string } | { type: 'exit'; code: number } | { type: 'error'; message: string };

export function createCommandRoute(runtime: Runtime): Route {
  const log = runtime.services.logger.child({ module: 'command-socket' });
  const path = /^\/local\/commands\/([a-z-]+)$/;

  const handle = async (request: IncomingMessage, response: ServerResponse, actor: Actor) => {
    const name = path.exec(request.url ?? '')![1]!;
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const send = (message: CommandMessage) => response.write(`${JSON.stringify(message)}\n`);

    const command = commands[name];
    if (!command) {
      send({ type: 'error', message: `Unknown command ${JSON.stringify(name)}.` });
      response.end();
      return;
    }

    try {
      const args = JSON.parse((await readBody(request)) || '{}') as Record<string, unknown>;
      log.info({ command: name, actor: actor.name }, 'command started');
      const code = await executeCommand(command, { runtime, actor, print: (line) => send({ type: 'output', line }) }, args);
      send({ type: 'exit', code });
      log.info({ command: name, actor: actor.name, exitCode: code }, 'command finished');
    } catch (error) {
      log.error({ err: error, command: name }, 'command failed');
      send({ type: 'error', message: (error as Error).message });
    }
    response.end();
  };
  return { method: 'POST', path, handle };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
