/**
 * What the rework tests share: the mutations and queries a client sends, and waiting for an
 * operation to finish.
 */
import type { sql } from 'drizzle-orm';
import type { Database } from '../../src/db/client.ts';
import { queryRows } from '../../src/db/sql.ts';
import { globalId } from '../support/fixtures.ts';
import type { TestServer } from '../support/server.ts';

export const OPERATION_FIELDS = `
  id kind method processing continueOnError status statusReason total processed succeeded failed rolledBack cancelRequested
  requestedBy createdAt startedAt finishedAt
  failures(first: 50) { totalCount edges { node { code message objectDisplayName object { id displayName } } } }`;

export const REWORK = `mutation Rework($input: ReworkOutstandingObjectsInput!) {
  reworkOutstandingObjects(input: $input) {
    bulkOperation { ${OPERATION_FIELDS} }
    preview { method allowed total tableCounts { table { name } selected dependencies } dependencies { reason object { id displayName } } blocked { object { id } reasons { code } } }
    errors {
      __typename code message path
      ... on ConstraintViolationError { blockedObjects { displayName object { id } reasons { code message } } }
      ... on ObjectsBusyError { busyObjects { displayName object { id } bulkOperation { id status } } }
    }
  }
}`;

export const OPERATION = `query Operation($id: ID!) { node(id: $id) { ... on BulkOperation { ${OPERATION_FIELDS} } } }`;

/** Only what a running operation serves from memory, so polling it never waits for the database. */
export const STATUS = `query Status($id: ID!) { node(id: $id) { ... on BulkOperation { id status statusReason total processed succeeded failed rolledBack } } }`;

export async function loadStatus(server: TestServer, id: string): Promise<any> {
  return (await server.query(STATUS, { id })).node;
}

export const FINAL_STATUSES = ['SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'INTERRUPTED', 'CANCELED'];

export function objectIds(typename: string, ids: number[]): string[] {
  return ids.map((id) => globalId(typename, id));
}

/** Sends the rework mutation and returns its payload. */
export async function rework(server: TestServer, input: Record<string, unknown>): Promise<any> {
  const data = await server.query(REWORK, { input });
  return data.reworkOutstandingObjects;
}

/** Submits a rework that must be accepted, and returns the operation from the mutation's payload. */
export async function submit(server: TestServer, input: Record<string, unknown>): Promise<any> {
  const payload = await rework(server, input);
  if (payload.errors.length > 0) throw new Error(`rework rejected: ${JSON.stringify(payload.errors, null, 2)}`);
  return payload.bulkOperation;
}

export async function loadOperation(server: TestServer, id: string): Promise<any> {
  return (await server.query(OPERATION, { id })).node;
}

/** Polls the operation until it reaches a final status. */
export async function waitForFinal(server: TestServer, id: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const operation = await loadStatus(server, id);
    if (FINAL_STATUSES.includes(operation.status)) return loadOperation(server, id);
    if (Date.now() > deadline) throw new Error(`operation ${id} still ${operation.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Polls until `check` returns a value other than undefined. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function database(server: TestServer): Database {
  return server.server.runtime.services.db;
}

/** Counts rows with raw SQL, e.g. `count(server, sql\`select count(*) from objects where ...\`)`. */
export async function count(server: TestServer, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await queryRows<{ count: number | string }>(database(server), query);
  return Number(row?.count ?? 0);
}
