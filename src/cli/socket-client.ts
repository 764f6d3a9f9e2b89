import { request } from 'node:http';
import os from 'node:os';
import type { CommandMessage } from './socket-route.ts';

/** Sends a command to the server that owns the data folder; prints its output and returns its exit code. */
export function runCommandOverSocket(
  socketPath: string,
  name: string,
  args: Record<string, unknown>,
  print: (line: string) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(args);
    const outgoing = request(
      {
        socketPath,
        path: `/local/commands/${name}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-syncrework-os-user': os.userInfo().username },
      },
      (response) => {
        let buffered = '';
        let exitCode = 1;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffered += chunk;
          let newline: number;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            const message = JSON.parse(buffered.slice(0, newline)) as CommandMessage;
            buffered = buffered.slice(newline + 1);
            if (message.type === 'output') print(message.line);
            else if (message.type === 'exit') exitCode = message.code;
            else {
              print(`Error: ${message.message}`);
              exitCode = 1;
            }
          }
        });
        response.on('end', () => resolve(exitCode));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
