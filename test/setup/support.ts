/**
 * Helpers of the set-up tests: a server whose log lines a test can read, audit records, and a
 * tenant synchronized from a small snapshot so it has accounts, groups and memberships.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/sql.ts';
import { createLogger } from '../../src/logger.ts';
import type { TestDatabaseKind } from '../support/databases.ts';
import { startTestServer, type StartTestServerOptions, type TestServer } from '../support/server.ts';
import { SyncClient, csv, group, json, mailContact, mailUser, member } from '../synchronization/support.ts';

/** Creates a SECRET_KEY: 32 random bytes in base64. */
export function newSecretKey(): string {
  return randomBytes(32).toString('base64');
}

export interface LoggedServer extends TestServer {
  /** Every log line the server wrote so far, as written (JSON text). */
  logText(): string;
}

/** Starts a test server that logs at trace level into memory. */
export async function startLoggedServer(kind: TestDatabaseKind, options: StartTestServerOptions = {}): Promise<LoggedServer> {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level: 'trace', format: 'json' }, destination);
  const server = await startTestServer(kind, { ...options, logger });
  return Object.assign(server, { logText: () => chunks.join('') });
}

export interface AuditRow {
  actor: string;
  action: string;
  outcome: string;
  subject_id: string | null;
  details: Record<string, any>;
}

/** Audit records of an action, oldest first. */
export async function auditOf(server: TestServer, action: string): Promise<AuditRow[]> {
  return queryRows<AuditRow & Record<string, unknown>>(
    server.server.runtime.services.db,
    sql`select actor, action, outcome, subject_id, details from audit_events where action = ${action} order by id`,
  );
}

/** Runs a mutation and returns its payload field, failing the test on top-level errors. */
export async function mutate(server: TestServer, field: string, inputType: string, selection: string, input: Record<string, unknown>): Promise<any> {
  const data = await server.query(`mutation ($input: ${inputType}!) { ${field}(input: $input) { ${selection} errors { __typename code message path } } }`, { input });
  return data[field];
}

export interface SyncedTenant {
  tenantId: string;
  /** Global IDs of accounts and groups by display name. */
  ids: Map<string, string>;
}

/**
 * Registers a tenant and synchronizes `users` mail users, `contacts` mail contacts and two groups,
 * "<name> Sales" (users 0 and 1) and "<name> Partners" (contact 0, if any), so every account is LINKED afterwards.
 */
export async function synchronizedTenant(server: TestServer, name: string, options: { users?: number; contacts?: number; offset?: number } = {}): Promise<SyncedTenant> {
  const sync = new SyncClient(server);
  const tenantId = await sync.createTenant(name, `${name.toLowerCase()}.com`);
  const offset = options.offset ?? 0;
  const users = Array.from({ length: options.users ?? 4 }, (_, index) => mailUser(offset + index));
  const contacts = Array.from({ length: options.contacts ?? 2 }, (_, index) => mailContact(offset + index));
  const groups = [group(offset + 1, `${name} Sales`), group(offset + 2, `${name} Partners`)];
  const run = await sync.run(name, {
    'MailUser.json': json(users),
    'MailContact.csv': csv(contacts),
    'DistributionGroup.json': json(groups),
    'DistributionGroupMember.csv': csv([member(offset + 1, users[0]!), member(offset + 1, users[1]!), ...contacts.slice(0, 1).map((contact) => member(offset + 2, contact))]),
  });
  expect(run.status).toBe('SUCCEEDED');
  return { tenantId, ids: await idsByName(server, tenantId) };
}

/** Global IDs of a tenant's accounts and groups, by display name. */
export async function idsByName(server: TestServer, tenantId: string): Promise<Map<string, string>> {
  const data = await server.query(
    `query ($filter: AccountFilter) { accounts(filter: $filter, first: 500) { edges { node { id displayName } } } }`,
    { filter: { tenant: tenantId } },
  );
  const ids = new Map<string, string>(data.accounts.edges.map((edge: any) => [edge.node.displayName, edge.node.id]));
  const numericTenant = Number(Buffer.from(tenantId, 'base64').toString('utf8').split(':')[1]);
  const groups = await queryRows<{ id: number | string; display_name: string }>(
    server.server.runtime.services.db,
    sql`select o.id, o.display_name from objects o join sync_tables t on t.id = o.sync_table_id
        where t.name = 'DistributionGroup' and o.tenant_id = ${numericTenant}`,
  );
  for (const row of groups) ids.set(row.display_name, Buffer.from(`DistributionGroup:${row.id}`).toString('base64'));
  return ids;
}

/** Returns the database id inside a global ID. */
export function databaseId(globalId: string): number {
  return Number(Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]);
}

/** Global IDs of the built-in manage levels and the Exchange Online type. */
export async function catalogIds(server: TestServer): Promise<{ unmanaged: string; fullManaged: string; exchangeOnline: string }> {
  const data = await server.query(`{ manageLevels { id name } targetSystemTypes { edges { node { id name } } } }`);
  const level = (name: string) => data.manageLevels.find((entry: any) => entry.name === name).id as string;
  return { unmanaged: level('Unmanaged'), fullManaged: level('Full managed'), exchangeOnline: data.targetSystemTypes.edges[0].node.id };
}

/** Indirect memberships as `group <- member` lines, sorted, read from the server's database. */
export async function indirectMemberships(server: TestServer): Promise<string[]> {
  const rows = await queryRows<{ line: string }>(
    server.server.runtime.services.db,
    sql`select g.display_name || ' <- ' || m.display_name as line
        from objects o join objects g on g.id = o.container_id join objects m on m.id = o.member_id
        where o.is_indirect order by 1`,
  );
  return rows.map((row) => row.line);
}

export const ACCOUNT_STATE = `linkState identity { id }`;

/** Link state and account definition name of accounts, by display name. */
export async function accountStates(server: TestServer, tenantId: string): Promise<Map<string, string>> {
  const data = await server.query(
    `query ($filter: AccountFilter) { accounts(filter: $filter, first: 500) { edges { node { displayName ... on MailUser { linkState } ... on MailContact { linkState } } } } }`,
    { filter: { tenant: tenantId } },
  );
  return new Map(data.accounts.edges.map((edge: any) => [edge.node.displayName, edge.node.linkState]));
}
