/**
 * Snapshot builders with fictitious sample recipients (contoso.com, adatum.com, tailspintoys.com,
 * the M365x214355 demo tenant) and a client for synchronization runs on a test server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/sql.ts';
import type { TestDatabaseKind } from '../support/databases.ts';
import { startTestServer, type StartTestServerOptions, type TestServer } from '../support/server.ts';

/**
 * Starts a test server whose snapshot folder is a temporary one on PostgreSQL too (PGlite's data
 * folder is temporary already), so uploads never land in the working copy's ./data.
 */
export async function startSyncServer(kind: TestDatabaseKind, options: StartTestServerOptions = {}): Promise<TestServer> {
  const folder = kind === 'postgres' ? mkdtempSync(path.join(os.tmpdir(), 'sw-snapshots-')) : undefined;
  const server = await startTestServer(kind, { ...options, env: { ...(folder ? { SYNCREWORK_DATA_DIR: folder } : {}), ...options.env } });
  const close = server.close;
  server.close = async () => {
    await close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  };
  return server;
}

/** Returns a fixed GUID per kind and number, e.g. guid('user', 3). */
export function guid(kind: 'user' | 'contact' | 'group' | 'mailbox', n: number): string {
  const prefix = { user: '3f2a1c4e', contact: '9a7b6c5d', group: '0f1e2d3c', mailbox: '7e6d5c4b' }[kind];
  return `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

const FIRST = ['Megan', 'Adele', 'Alex', 'Diego', 'Grady', 'Isaiah', 'Johanna', 'Lee', 'Lidia', 'Miriam', 'Nestor', 'Patti'];
const LAST = ['Bowen', 'Vance', 'Wilber', 'Siciliani', 'Archie', 'Langer', 'Lorenz', 'Gu', 'Holloway', 'Graham', 'Wilke', 'Fernandez'];

export function mailUser(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const first = FIRST[n % FIRST.length]!;
  const last = `${LAST[n % LAST.length]}${n >= LAST.length ? ` ${n}` : ''}`;
  const alias = `${first}${n}`;
  return {
    Guid: guid('user', n),
    ExternalDirectoryObjectId: `48d31887-5fad-4d73-a9f5-${n.toString(16).padStart(12, '0')}`,
    Name: alias,
    Alias: alias,
    DisplayName: `${first} ${last}`,
    FirstName: first,
    LastName: last,
    PrimarySmtpAddress: `${alias}@M365x214355.onmicrosoft.com`,
    ExternalEmailAddress: `SMTP:${alias.toLowerCase()}@contoso.com`,
    RecipientTypeDetails: 'MailUser',
    EmailAddresses: [`SMTP:${alias}@M365x214355.onmicrosoft.com`],
    WhenChanged: '/Date(1793787300000)/',
    ...overrides,
  };
}

export function mailContact(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const domain = n % 2 === 0 ? 'adatum.com' : 'tailspintoys.com';
  return {
    Guid: guid('contact', n),
    Name: `Partner ${n}`,
    Alias: `partner${n}`,
    DisplayName: `Partner ${n} (${domain})`,
    ExternalEmailAddress: `SMTP:partner${n}@${domain}`,
    RecipientTypeDetails: 'MailContact',
    EmailAddresses: `SMTP:partner${n}@${domain}`,
    ...overrides,
  };
}

export function group(n: number, name = `Group ${n}`): Record<string, unknown> {
  return {
    Guid: guid('group', n),
    Name: name,
    DisplayName: name,
    Alias: `group${n}`,
    PrimarySmtpAddress: `group${n}@contoso.com`,
    RecipientTypeDetails: 'MailUniversalDistributionGroup',
    EmailAddresses: [`SMTP:group${n}@contoso.com`],
  };
}

/** Builds a Get-DistributionGroupMember row of a group, with the GroupGuid column the export adds. */
export function member(groupNumber: number, recipient: Record<string, unknown>): Record<string, unknown> {
  return {
    GroupGuid: guid('group', groupNumber),
    Guid: recipient.Guid,
    Name: recipient.Name,
    DisplayName: recipient.DisplayName,
    RecipientTypeDetails: recipient.RecipientTypeDetails,
  };
}

/** ConvertTo-Json output: an array, or a single object for one result. */
export function json(rows: Record<string, unknown>[]): string {
  return JSON.stringify(rows.length === 1 ? rows[0] : rows, null, 4);
}

/** Export-Csv -NoTypeInformation output, with multi-valued properties joined by ';'. */
export function csv(rows: Record<string, unknown>[], columns = Object.keys(rows[0] ?? { Guid: '' }), separator = ','): string {
  const cell = (value: unknown) => `"${(Array.isArray(value) ? value.join(';') : value === undefined || value === null ? '' : String(value)).replaceAll('"', '""')}"`;
  const lines = [columns.map(cell).join(separator), ...rows.map((row) => columns.map((column) => cell(row[column])).join(separator))];
  return `${lines.join('\r\n')}\r\n`;
}

export type SnapshotFiles = Record<string, string>;

export const RUN_FIELDS = `
  id status statusReason problem forced forcedBy culture requestedBy startedAt finishedAt
  counts { read inserted updated unchanged markedOutstanding deleted skippedOutstanding skippedPending unresolvedReferences resolvedReferences identitiesCreated }
  tableCounts { tableName counts { inserted updated unchanged markedOutstanding deleted skippedOutstanding skippedPending unresolvedReferences resolvedReferences identitiesCreated } }`;

export interface Run {
  id: string;
  status: string;
  statusReason: string | null;
  problem: any;
  forced: boolean;
  forcedBy: string | null;
  counts: Record<string, number>;
  tableCounts: { tableName: string; counts: Record<string, number> }[];
}

/** Synchronization runs through the API of one test server. */
export class SyncClient {
  constructor(readonly server: TestServer) {}

  async createTenant(name: string, primaryDomain: string): Promise<string> {
    const data = await this.server.query(
      `mutation ($input: CreateTenantInput!) { createTenant(input: $input) { tenant { id } errors { code message } } }`,
      { input: { name, primaryDomain } },
    );
    expect(data.createTenant.errors).toEqual([]);
    return data.createTenant.tenant.id;
  }

  /** Sends `synchronize` and returns its payload. */
  async synchronize(input: Record<string, unknown>): Promise<{ synchronizationRun: Run | null; errors: any[] }> {
    const data = await this.server.query(
      `mutation ($input: SynchronizeInput!) { synchronize(input: $input) {
         synchronizationRun { ${RUN_FIELDS} }
         errors { __typename code message path ... on UnknownTenantError { tenant } ... on TenantBusyError { holderKind synchronizationRun { id } }
                  ... on SnapshotInvalidError { file location field } } } }`,
      { input },
    );
    return data.synchronize;
  }

  /** Synchronizes inline files and waits for the run's final state. */
  async run(tenant: string, files: SnapshotFiles, options: { force?: boolean; culture?: string } = {}): Promise<Run> {
    const payload = await this.synchronize({ tenant, files: Object.entries(files).map(([name, content]) => ({ name, content })), ...options });
    expect(payload.errors).toEqual([]);
    return this.waitFor(payload.synchronizationRun!.id);
  }

  async waitFor(id: string, timeoutMs = 60_000): Promise<Run> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const data = await this.server.query(`query ($id: ID!) { node(id: $id) { ... on SynchronizationRun { ${RUN_FIELDS} } } }`, { id });
      const run = data.node as Run;
      if (['SUCCEEDED', 'FAILED', 'INTERRUPTED', 'CANCELED'].includes(run.status)) return run;
      if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Outstanding objects of a tenant, by display name, with their log information. */
  async outstanding(tenantId: string): Promise<Map<string, any>> {
    const data = await this.server.query(
      `query ($filter: OutstandingObjectFilter) { outstandingObjects(filter: $filter, first: 500) { edges { node {
         __typename displayName key table { name }
         outstanding { markedAt cause lastLogEntry lastMethodRun noLogReason } } } } }`,
      { filter: { tenants: [tenantId] } },
    );
    return new Map(data.outstandingObjects.edges.map((edge: any) => [edge.node.displayName, edge.node]));
  }

  /** Accounts of a tenant by display name, with link state and identity. */
  async accounts(tenantId: string): Promise<Map<string, any>> {
    const data = await this.server.query(
      `query ($filter: AccountFilter) { accounts(filter: $filter, first: 500) { edges { node {
         __typename displayName key properties outstanding { cause }
         ... on MailUser { linkState identity { displayName firstName lastName } }
         ... on MailContact { linkState identity { displayName } } } } } }`,
      { filter: { tenant: tenantId } },
    );
    return new Map(data.accounts.edges.map((edge: any) => [edge.node.displayName, edge.node]));
  }

  /** Lists the log entries a run wrote, with the display name of the object each is on. */
  async logOfRun(runId: string): Promise<{ method: string; message: string; memberKey: string | null; object: string }[]> {
    const data = await this.server.query(
      `query ($id: ID!) { node(id: $id) { ... on SynchronizationRun { logEntries(first: 500) { totalCount edges { node {
         method message memberKey object { displayName } } } } } } }`,
      { id: runId },
    );
    return data.node.logEntries.edges.map((edge: any) => ({ ...edge.node, object: edge.node.object?.displayName }));
  }

  /**
   * Everything a run may change, read from the server's database, so a failed run can be shown to
   * have changed nothing. Runs, audit entries, jobs and uploads are left out: they record the attempt.
   */
  async fingerprint(): Promise<string> {
    const db = this.server.server.runtime.services.db;
    const rows = await queryRows(
      db,
      sql`select
            (select md5(coalesce(string_agg(concat_ws('|', id, key, display_name, properties::text, container_id, member_id,
                outstanding_since, outstanding_cause, identity_id, account_definition_id, last_log_at, version), ',' order by id), '')) from objects) as objects,
            (select count(*) || '/' || coalesce(max(id), 0) from log_entries) as log_entries,
            (select count(*) from identities) as identities,
            (select md5(coalesce(string_agg(concat_ws('|', id, container_key, member_key, last_seen_run_id), ',' order by id), '')) from unresolved_references) as unresolved,
            (select count(*) from tenant_claims) as claims`,
    );
    return JSON.stringify(rows[0]);
  }
}

export function countsOf(run: Run, table: string): Record<string, number> {
  return run.tableCounts.find((entry) => entry.tableName === table)?.counts ?? {};
}

/** Uploads files to `POST /snapshots` as a browser or `curl -F` would. */
export async function upload(server: TestServer, files: Record<string, string | Uint8Array>): Promise<{ status: number; body: any }> {
  const form = new FormData();
  for (const [name, content] of Object.entries(files)) form.append('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), name);
  const response = await fetch(`${server.url}/snapshots`, { method: 'POST', headers: server.headers(), body: form });
  return { status: response.status, body: await response.json() };
}
