/**
 * The HTTP server: GraphQL over HTTP and SSE (Yoga) and over WebSocket (graphql-ws), all on
 * /graphql, plus /health, /ready and the routes other modules register. Shuts down in order.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { execute, ExecutionArgs, subscribe } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Registry } from 'prom-client';
import { AuthenticationError, authorizationFromConnectionParams } from './auth/authenticate.ts';
import { RateLimiter } from './auth/rate-limit.ts';
import type { Actor } from './domain/actor.ts';
import type { Services } from './graphql/context.ts';
import { requestIdFrom, type Yoga } from './graphql/yoga.ts';

/** A route outside GraphQL, e.g. `POST /snapshots`. */
export interface Route {
  method: string;
  /** Matches the path without the query string. */
  path: RegExp;
  handle: (request: IncomingMessage, response: ServerResponse, actor: Actor) => Promise<void>;
}

export interface HttpServerOptions {
  yoga: Yoga;
  services: Services;
  /** Resolves the actor of an HTTP request or a WebSocket connection. */
  authenticate: (headers: Record<string, string | undefined>) => Promise<Actor>;
  /** Whether the database is reachable and migrated, for /ready. */
  checkReadiness: () => Promise<{ ready: boolean; reason?: string }>;
  routes?: Route[];
  /** Prometheus metrics served on /metrics, behind METRICS_TOKEN when it is set. */
  metrics?: Registry;
  /** Limits requests per client on /graphql and the routes; absent on the local command socket. */
  rateLimiter?: RateLimiter;
}

export interface HttpServer {
  server: Server;
  /** Starts listening on a TCP port or a Unix socket path. */
  listen(target: { host: string; port: number } | { path: string }): Promise<string>;
  /** Stops accepting, closes WebSockets with 1001 (going away), waits for open requests. */
  close(timeoutMs: number): Promise<void>;
}

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { yoga, services } = options;
  const log = services.logger.child({ module: 'http' });
  const maxBytes = services.config.MAX_REQUEST_BYTES;

  const server = createServer(async (request, response) => {
    try {
      await handle(request, response);
    } catch (error) {
      log.error({ err: error, url: request.url }, 'request failed before reaching GraphQL');
      if (!response.headersSent) sendJson(response, 500, { error: 'Internal server error.' });
      else response.destroy();
    }
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/health') return sendJson(response, 200, { status: 'ok' });
    if (path === '/ready') {
      const readiness = await options.checkReadiness();
      return sendJson(response, readiness.ready ? 200 : 503, readiness.ready ? { status: 'ready' } : { status: 'not ready', reason: readiness.reason });
    }

    if (options.rateLimiter) {
      const key = RateLimiter.keyOf(firstHeader(request.headers.authorization), request.socket.remoteAddress);
      const decision = options.rateLimiter.take(key);
      if (!decision.allowed) {
        response.setHeader('retry-after', String(decision.retryAfterSeconds));
        return sendJson(response, 429, {
          errors: [{ message: `Too many requests: the limit is ${services.config.RATE_LIMIT_PER_MINUTE} a minute per client (RATE_LIMIT_PER_MINUTE). Retry after ${decision.retryAfterSeconds} s.` }],
        });
      }
    }

    if (path === '/metrics' && options.metrics) return sendMetrics(request, response, options.metrics, services.config.METRICS_TOKEN);

    const declaredLength = Number(request.headers['content-length'] ?? 0);
    if (declaredLength > maxBytes && path === '/graphql') {
      return sendJson(response, 413, {
        errors: [{ message: `Request body of ${declaredLength} bytes exceeds the limit of ${maxBytes} bytes (MAX_REQUEST_BYTES). Upload large snapshots with POST /snapshots.` }],
      });
    }
    if (request.method === 'POST' && path === '/graphql' && request.headers['content-length'] === undefined) {
      return sendJson(response, 411, { errors: [{ message: 'Send a Content-Length header with POST requests to /graphql.' }] });
    }

    const route = options.routes?.find((candidate) => candidate.method === request.method && candidate.path.test(path ?? ''));
    if (route) {
      let actor: Actor;
      try {
        actor = await options.authenticate(headerRecord(request));
      } catch (error) {
        if (!(error instanceof AuthenticationError)) throw error;
        response.setHeader('www-authenticate', 'Bearer');
        return sendJson(response, 401, { errors: [{ message: error.message, extensions: { code: 'UNAUTHENTICATED' } }] });
      }
      return route.handle(request, response, actor);
    }

    // The actor is resolved in Yoga's context factory, so an authentication error becomes a GraphQL error.
    const requestId = requestIdFrom(firstHeader(request.headers['x-request-id']));
    response.setHeader('x-request-id', requestId);
    const started = performance.now();
    response.once('finish', () => {
      log.info(
        { requestId, method: request.method, path, status: response.statusCode, durationMs: Math.round(performance.now() - started) },
        'request finished',
      );
    });
    const headers = headerRecord(request);
    // Calling the Yoga instance (not handleNodeRequestAndResponse, which only builds the Response)
    // writes the response, streaming SSE as it goes.
    await yoga(request, response, { resolveActor: () => options.authenticate(headers), requestId });
  }

  // Upgrades are routed by hand (noServer), so the WebSocket server does not re-emit the HTTP
  // server's errors. graphql-ws would print those as internal errors, and listen() reports them.
  const webSockets = new WebSocketServer({ noServer: true, maxPayload: maxBytes });
  server.on('upgrade', (request, socket, head) => {
    if ((request.url ?? '').split('?')[0] !== '/graphql') {
      socket.destroy();
      return;
    }
    webSockets.handleUpgrade(request, socket, head, (client) => webSockets.emit('connection', client, request));
  });
  const graphqlWs = useServer<Record<string, unknown>, { actor: Actor }>(
    {
      onConnect: async (context) => {
        try {
          const authorization = authorizationFromConnectionParams(context.connectionParams ?? {});
          context.extra.actor = await options.authenticate({ authorization });
          return true;
        } catch (error) {
          // 4401 asks the client to fix its credentials, and the reason is cut to the 123-byte limit of a close frame.
          context.extra.socket.close(4401, (error as Error).message.slice(0, 120));
          return false;
        }
      },
      execute: (args) => (args.rootValue as { execute: typeof execute }).execute(args),
      subscribe: (args) => (args.rootValue as { subscribe: typeof subscribe }).subscribe(args),
      onSubscribe: async (context, _id, params) => {
        const requestId = requestIdFrom(undefined);
        const actor = context.extra.actor;
        const enveloped = yoga.getEnveloped({
          ...context,
          req: context.extra.request,
          socket: context.extra.socket,
          params,
          resolveActor: async () => actor,
          requestId,
        });
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          operationName: params.operationName,
          document: enveloped.parse(params.query),
          variableValues: params.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
        const errors = enveloped.validate(args.schema, args.document);
        if (errors.length > 0) return errors;
        log.info({ requestId, operationName: params.operationName ?? null, transport: 'websocket' }, 'operation started');
        return args;
      },
    },
    webSockets,
  );

  return {
    server,
    listen: (target) =>
      new Promise((resolve, reject) => {
        const fail = (error: NodeJS.ErrnoException) => reject('port' in target ? explainListenError(error, target) : error);
        server.once('error', fail);
        const done = () => {
          server.off('error', fail);
          const address = server.address();
          resolve(typeof address === 'string' ? address : `http://${formatHost((address as AddressInfo).address)}:${(address as AddressInfo).port}`);
        };
        if ('path' in target) server.listen(target.path, done);
        else server.listen(target.port, target.host, done);
      }),
    close: async (timeoutMs) => {
      for (const client of webSockets.clients) client.close(1001, 'Server shutting down');
      await graphqlWs.dispose();
      await new Promise<void>((resolve) => webSockets.close(() => resolve()));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

/**
 * Rewrites the listen errors an operator causes by configuration into one line that names the
 * address and the variable to change. Other errors pass through unchanged.
 */
function explainListenError(error: NodeJS.ErrnoException, target: { host: string; port: number }): Error {
  const address = `${formatHost(target.host)}:${target.port}`;
  if (error.code === 'EADDRINUSE') {
    return new Error(`Cannot listen on ${address}: another process already uses port ${target.port}. Stop that process, or set PORT to a free port.`, { cause: error });
  }
  if (error.code === 'EADDRNOTAVAIL') {
    return new Error(`Cannot listen on ${address}: ${target.host} is not an address of this machine. Set HOST to one of its addresses, e.g. 127.0.0.1.`, { cause: error });
  }
  return error;
}

function formatHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function headerRecord(request: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name] = firstHeader(value);
  return headers;
}

async function sendMetrics(request: IncomingMessage, response: ServerResponse, metrics: Registry, token: string | undefined) {
  if (token && request.headers.authorization !== `Bearer ${token}`) {
    response.setHeader('www-authenticate', 'Bearer');
    return sendJson(response, 401, { error: 'Send the metrics token (METRICS_TOKEN) as `Authorization: Bearer <token>`.' });
  }
  const text = await metrics.metrics();
  response.writeHead(200, { 'content-type': metrics.contentType });
  response.end(text);
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
