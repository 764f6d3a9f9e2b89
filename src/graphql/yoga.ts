/**
 * The Yoga instance: schema, per-request context, request logging and error masking. Transports
 * (HTTP, WebSocket, SSE) are wired in server.ts.
 */
import { randomUUID } from 'node:crypto';
import { GraphQLError, type FieldNode, type GraphQLSchema, type ValidationContext } from 'graphql';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Registry } from 'prom-client';
import { createYoga, handleStreamOrSingleExecutionResult, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Authenticator } from '../auth/authenticate.ts';
import type { Actor } from '../domain/actor.ts';
import type { Context, Services } from './context.ts';
import { limitPlugins, useRevocationCheck } from './limits.ts';

export interface ServerContext {
  /** Resolves the actor from what the transport received (HTTP header, WebSocket connection, local socket). */
  resolveActor: () => Promise<Actor>;
  /** Request id chosen by the transport; taken from `x-request-id` when the client sent a valid one. */
  requestId: string;
}

export type Yoga = YogaServerInstance<ServerContext, Context>;

export function createYogaServer(
  schema: GraphQLSchema,
  services: Services,
  authenticator: Pick<Authenticator, 'isStillValid'>,
  metrics?: Registry,
): Yoga {
  const development = services.config.NODE_ENV !== 'production';
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: development ? { title: 'syncrework', subscriptionsProtocol: 'WS' } : false,
    // Errors are masked by the plugin below, which knows the request id.
    maskedErrors: false,
    logging: services.logger.child({ module: 'yoga' }) as never,
    context: async ({ resolveActor, requestId }) => ({
      services,
      db: services.db,
      actor: await resolveActor(),
      requestId,
      logger: services.logger.child({ requestId }),
    }),
    plugins: [
      useOperationLogging(),
      useErrorMasking(development),
      useDisableIntrospection(development),
      ...limitPlugins(services.config),
      useRevocationCheck((actor) => authenticator.isStillValid(actor)),
      ...(metrics ? [usePrometheus({ registry: metrics, endpoint: false })] : []),
    ],
  });
}

/** Logs each operation with its name, type, actor and duration; the request id comes from the context's logger. */
function useOperationLogging(): Plugin<Context> {
  return {
    onExecute: ({ args }) => {
      const started = performance.now();
      const context = args.contextValue as Context;
      const operationName = args.operationName ?? null;
      return {
        onExecuteDone: ({ result }) => {
          const errors = 'errors' in result ? (result.errors?.length ?? 0) : 0;
          context.logger.info({ operationName, actor: context.actor.name, errors, durationMs: Math.round(performance.now() - started) }, 'operation executed');
        },
      };
    },
    onSubscribe: ({ args }) => {
      const context = args.contextValue as Context;
      context.logger.info({ operationName: args.operationName ?? null, actor: context.actor.name }, 'subscription started');
    },
  };
}

/** Creates a request id, or keeps the caller's when it is a short token of safe characters. */
export function requestIdFrom(header: string | null | undefined): string {
  if (header && /^[A-Za-z0-9._-]{8,64}$/.test(header)) return header;
  return randomUUID();
}

/**
 * Replaces every error that is not a deliberate GraphQLError by a generic one carrying the request
 * id, after logging the original with that id. In development the original message is kept.
 */
function useErrorMasking(development: boolean): Plugin<Context> {
  const mask = (error: GraphQLError, context: Context): GraphQLError => {
    const original = error.originalError;
    if (!original || original instanceof GraphQLError) return error;

    context.logger.error({ err: original, path: error.path }, 'unexpected error while executing an operation');
    const message = development
      ? `Unexpected error: ${original.message} (request id ${context.requestId})`
      : `Unexpected error. Quote request id ${context.requestId} when you report it.`;
    return new GraphQLError(message, {
      path: error.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: context.requestId },
    });
  };

  const onDone = (context: Context) => ({
    onExecuteDone: (payload: Parameters<typeof handleStreamOrSingleExecutionResult>[0]) =>
      handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
        if (!result.errors?.length) return;
        setResult({ ...result, errors: result.errors.map((error) => mask(error, context)) });
      }),
  });

  return {
    onExecute: ({ args }) => onDone(args.contextValue as Context),
    onSubscribe: ({ args }) => ({
      onSubscribeResult: (payload) =>
        handleStreamOrSingleExecutionResult(payload as never, ({ result, setResult }) => {
          if (!result.errors?.length) return;
          const context = args.contextValue as Context;
          setResult({ ...result, errors: result.errors.map((error) => mask(error, context)) });
        }),
    }),
  };
}

/** Turns off introspection and field suggestions ("Did you mean ...?") outside development. */
function useDisableIntrospection(development: boolean): Plugin {
  if (development) return {};
  return {
    onValidate: ({ addValidationRule }) => {
      addValidationRule((context: ValidationContext) => ({
        Field(node: FieldNode) {
          if (node.name.value === '__schema' || node.name.value === '__type') {
            context.reportError(new GraphQLError('Introspection is disabled in production mode.', { nodes: node }));
          }
        },
      }));
      return ({ result, setResult }) => {
        if (result.length === 0) return;
        setResult(
          result.map(
            (error) =>
              new GraphQLError(error.message.replace(/ Did you mean .*\?$/, ''), {
                nodes: error.nodes,
                extensions: error.extensions,
              }),
          ),
        );
      };
    },
  };
}
