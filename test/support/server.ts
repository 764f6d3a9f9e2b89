/**
 * Starts the real server on a free port over a test database, and talks to it with real HTTP,
 * WebSocket (graphql-ws) and SSE (graphql-sse) clients. Every test authenticates through
 * `graphql()` and the client factories here, so authentication changes this file only.
 */
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { operatingSystemActor, type Role } from '../../src/domain/actor.ts';
import { createApiToken } from '../../src/domain/api-tokens.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from './databases.ts';

export interface TestServer {
  kind: TestDatabaseKind;
  url: string;
  graphqlUrl: string;
  server: RunningServer;
  database: TestDatabase;
  /** Sends an operation over HTTP POST and returns the parsed body. */
  graphql<T = any>(query: string, variables?: Record<string, unknown>, options?: RequestOptions): Promise<GraphQLResponse<T>>;
  /** Like `graphql`, but fails the test on any top-level error and returns `data`. */
  query<T = any>(query: string, variables?: Record<string, unknown>, options?: RequestOptions): Promise<T>;
  /** Headers a client sends: the admin token unless the options name another token or none. */
  headers(options?: RequestOptions): Record<string, string>;
  /** The admin API token every request uses by default. */
  adminToken: string;
  /** Creates an API token with a role, optionally limited to tenants (by name). */
  createToken(role: Role, tenantNames?: string[]): Promise<string>;
  wsClient(options?: RequestOptions): WsClient;
  sseClient(options?: RequestOptions): ReturnType<typeof createSseClient>;
  close(): Promise<void>;
}

export interface RequestOptions {
  /** Send this bearer token instead of the default admin token; `null` sends none. */
  token?: string | null;
  /** Send this Authorization header value as it is, e.g. a malformed one; it overrides `token`. */
  authorization?: string;
}

export interface GraphQLResponse<T> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface StartTestServerOptions {
  /** Extra environment variables, e.g. NODE_ENV=production. */
  env?: Record<string, string>;
  seedDemo?: boolean;
  /** Called with every SQL statement the server sends, e.g. to count the queries of a request. */
  onQuery?: (query: string) => void;
  /** The server's logger, e.g. one that keeps its lines for a test to read; silent by default. */
  logger?: Logger;
  /**
   * Another server's database, for a second instance on the same data (PostgreSQL only: PGlite
   * is locked to one process). Closing this server leaves the database to its owner to drop.
   */
  database?: TestDatabase;
}

export async function startTestServer(kind: TestDatabaseKind, options: StartTestServerOptions = {}): Promise<TestServer> {
  const database = options.database ?? (await createTestDatabase(kind));
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    SEED_DEMO: options.seedDemo ? 'true' : 'false',
    SHUTDOWN_TIMEOUT_MS: '2000',
    ...database.env,
    ...options.env,
  });
  const logger = options.logger ?? createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'json' });
  let server: RunningServer;
  try {
    server = await startServer(config, logger, { onQuery: options.onQuery });
  } catch (error) {
    if (!options.database) await database.drop();
    throw error;
  }
  const graphqlUrl = `${server.url}/graphql`;
  const { token: adminToken } = await createApiToken(server.runtime.services.db, operatingSystemActor(), { name: 'test-admin', role: 'admin' });

  const headers = (requestOptions: RequestOptions = {}): Record<string, string> => {
    if (requestOptions.authorization !== undefined) return { authorization: requestOptions.authorization };
    const token = requestOptions.token === undefined ? adminToken : requestOptions.token;
    return token ? { authorization: `Bearer ${token}` } : {};
  };
  const createToken = async (role: Role, tenantNames: string[] = []) =>
    (await createApiToken(server.runtime.services.db, operatingSystemActor(), { name: `test-${role}-${Math.random()}`.slice(0, 40), role, tenantNames })).token;

  const graphql = async <T>(query: string, variables?: Record<string, unknown>, requestOptions?: RequestOptions) => {
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers(requestOptions) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as GraphQLResponse<T>;
    return { ...body, status: response.status };
  };

  return {
    kind,
    url: server.url,
    graphqlUrl,
    server,
    database,
    graphql,
    query: async <T>(query: string, variables?: Record<string, unknown>, requestOptions?: RequestOptions) => {
      const result = await graphql<T>(query, variables, requestOptions);
      if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
      return result.data as T;
    },
    headers,
    adminToken,
    createToken,
    wsClient: (requestOptions) =>
      createWsClient({
        url: graphqlUrl.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: () => {
          const authorization = headers(requestOptions).authorization;
          return authorization ? { authorization } : {};
        },
        retryAttempts: 0,
      }),
    sseClient: (requestOptions) => createSseClient({ url: graphqlUrl, headers: () => headers(requestOptions), retryAttempts: 0 }),
    close: async () => {
      await server.close();
      if (!options.database) await database.drop();
    },
  };
}

/** What graphql-ws and graphql-sse clients have in common: `subscribe(payload, sink)`. */
interface SubscribingClient {
  subscribe(
    payload: { query: string; variables: Record<string, unknown> },
    sink: { next: (value: { data?: unknown; errors?: unknown }) => void; error: (error: unknown) => void; complete: () => void },
  ): () => void;
}

/** Collects every value of a subscription until it completes, or fails after `timeoutMs`. */
function collect<T>(client: SubscribingClient, query: string, variables: Record<string, unknown>, timeoutMs: number): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const values: T[] = [];
    const timer = setTimeout(() => reject(new Error(`subscription did not complete within ${timeoutMs} ms; got ${values.length} values`)), timeoutMs);
    client.subscribe(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) reject(new Error(JSON.stringify(value.errors)));
          else values.push(value.data as T);
        },
        error: (error) => {
          clearTimeout(timer);
          reject(asError(error));
        },
        complete: () => {
          clearTimeout(timer);
          resolve(values);
        },
      },
    );
  });
}

/** Collects a subscription over WebSocket (graphql-ws). */
export function collectWs<T>(client: WsClient, query: string, variables: Record<string, unknown>, timeoutMs = 20_000): Promise<T[]> {
  return collect<T>(client as unknown as SubscribingClient, query, variables, timeoutMs);
}

/** Collects a subscription over SSE (graphql-sse). */
export function collectSse<T>(
  client: ReturnType<typeof createSseClient>,
  query: string,
  variables: Record<string, unknown>,
  timeoutMs = 20_000,
): Promise<T[]> {
  return collect<T>(client as unknown as SubscribingClient, query, variables, timeoutMs);
}

/** Turns what a client reports (an Error, a WebSocket CloseEvent, a list of GraphQL errors) into an Error. */
function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  const closed = error as { code?: number; reason?: string };
  if (typeof closed?.code === 'number') return Object.assign(new Error(`closed with ${closed.code}: ${closed.reason ?? ''}`), { code: closed.code });
  return new Error(JSON.stringify(error));
}
