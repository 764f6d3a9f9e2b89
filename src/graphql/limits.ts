/**
 * Request limits and guards in front of execution: aliases and tokens per document (GraphQL
 * Armor), persisted operations when configured, and the end of subscriptions whose credentials
 * were revoked. Depth and cost limits are the complexity plugin's, set in builder.ts.
 */
import { readFileSync } from 'node:fs';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Config } from '../config.ts';
import type { Actor } from '../domain/actor.ts';
import type { Context } from './context.ts';

export function limitPlugins(config: Config): Plugin[] {
  const plugins: Plugin[] = [
    maxAliasesPlugin({ n: config.MAX_ALIASES, exposeLimits: true }) as Plugin,
    maxTokensPlugin({ n: config.MAX_QUERY_TOKENS, exposeLimits: true }) as Plugin,
  ];
  if (config.PERSISTED_OPERATIONS_FILE) plugins.push(persistedOperations(config.PERSISTED_OPERATIONS_FILE));
  return plugins;
}

/** Only operations listed in the file (`{ "<sha256>": "<document>" }`) may run. */
function persistedOperations(file: string): Plugin {
  const store = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  return usePersistedOperations({
    getPersistedOperation: (key) => store[key] ?? null,
    allowArbitraryOperations: false,
    skipDocumentValidation: false,
  }) as Plugin;
}

/**
 * Ends a subscription with an UNAUTHENTICATED error once its actor's token is revoked or expires,
 * checking before each event and every `intervalMs` while it waits.
 */
export function useRevocationCheck(isStillValid: (actor: Actor) => Promise<boolean>, intervalMs = 1000): Plugin<Context> {
  return {
    onSubscribe: ({ args }) => ({
      onSubscribeResult: ({ result, setResult }) => {
        if (!isAsyncIterable(result)) return;
        const actor = (args.contextValue as Context).actor;
        setResult(guard(result as AsyncIterable<ExecutionResult>, () => isStillValid(actor), intervalMs) as never);
      },
    }),
  };
}

async function* guard(source: AsyncIterable<ExecutionResult>, check: () => Promise<boolean>, intervalMs: number): AsyncGenerator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    while (true) {
      let timer: NodeJS.Timeout | undefined;
      const revoked = new Promise<'revoked'>((resolve) => {
        const tick = async () => {
          if (!(await check().catch(() => true))) resolve('revoked');
          else timer = setTimeout(tick, intervalMs);
        };
        timer = setTimeout(tick, intervalMs);
      });
      const outcome = await Promise.race([iterator.next(), revoked]);
      clearTimeout(timer);
      if (outcome === 'revoked') {
        yield { errors: [new GraphQLError('The credentials of this subscription were revoked or expired. Subscribe again with a valid token.', { extensions: { code: 'UNAUTHENTICATED' } })] };
        return;
      }
      if (outcome.done) return;
      yield outcome.value;
    }
  } finally {
    await iterator.return?.();
  }
}
