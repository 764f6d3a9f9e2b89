/**
 * Rework on PostgreSQL, each next to the same change done with plain SQL in the same run:
 *
 * - BULK RESET of 100,000 outstanding contacts, and BULK DELETE of 100,000;
 * - SEQUENTIAL RESET of 10,000.
 *
 * The engine is timed from the request (selection by filter, constraint check, acceptance) to the
 * operation's final status. The plain-SQL baseline changes the same rows of another tenant with the
 * same data, and writes the same log entries (one per reset object; none for deleted ones, whose
 * log goes with them) and audit records (one per object): set-based statements in one transaction
 * for BULK, one transaction per object for SEQUENTIAL. Every object starts with one log entry, as
 * a run that marked it leaves it. Uses BENCH_DATABASE_URL or TEST_DATABASE_URL (default: the local
 * PostgreSQL) to create a fresh database, and drops it afterwards. BENCH_REWORK_CASES picks cases.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { createRuntime, type Runtime } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { tenants, targetSystems, targetSystemTypes } from '../src/db/schema.ts';
import { queryRows } from '../src/db/sql.ts';
import { operatingSystemActor } from '../src/domain/actor.ts';
import { loadBulkOperation } from '../src/domain/bulk-operations/queries.ts';
import { isFinalBulkOperationStatus } from '../src/domain/bulk-operations/types.ts';
import { EXCHANGE_ONLINE } from '../src/domain/built-in-catalog.ts';
import { submitRework } from '../src/domain/rework/submit.ts';
import { createLogger } from '../src/logger.ts';
import type { Benchmark, BenchResult } from './run.ts';

const BULK_OBJECTS = 100_000;
const SEQUENTIAL_OBJECTS = 10_000;

const CASES = [
  ['BULK RESET', BULK_OBJECTS, 'BULK', 'RESET'],
  ['BULK DELETE', BULK_OBJECTS, 'BULK', 'DELETE'],
  ['SEQUENTIAL RESET', SEQUENTIAL_OBJECTS, 'SEQUENTIAL', 'RESET'],
] as const;

/** BENCH_REWORK_CASES picks cases by label, e.g. `BULK DELETE,SEQUENTIAL RESET`; all by default. */
const only = (process.env.BENCH_REWORK_CASES ?? '').split(',').map((label) => label.trim()).filter(Boolean);

export const benchmark: Benchmark = {
  name: 'rework',
  async run() {
    const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const name = `syncrework_bench_${randomBytes(4).toString('hex')}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: url.toString(), SEED_DEMO: 'false', MAX_SELECTION_SIZE: '200000' });
    const runtime = await createRuntime(config, createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'silent', format: 'json' }));
    try {
      const results: BenchResult[] = [];
      for (const [label, count, processing, method] of CASES) {
        if (only.length === 0 || only.includes(label)) results.push(await compare(runtime, label, count, processing, method));
      }
      return results;
    } finally {
      await runtime.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  },
};

async function compare(runtime: Runtime, label: string, count: number, processing: 'BULK' | 'SEQUENTIAL', method: 'RESET' | 'DELETE'): Promise<BenchResult> {
  const engineTenant = await seedTenant(runtime, count);
  const plainTenant = await seedTenant(runtime, count);
  await runtime.services.db.execute(sql`vacuum analyze`);

  await settle(runtime);
  const engine = await timeEngine(runtime, engineTenant, processing, method);
  await settle(runtime);
  const baseline = processing === 'BULK' ? await timePlainBulk(runtime, plainTenant, method) : await timePlainSequential(runtime, plainTenant);

  for (const tenantId of [engineTenant, plainTenant]) await verifyDone(runtime, tenantId, count, method);
  return {
    name: `${label} of ${count.toLocaleString('en-US')} objects (rework engine)`,
    unit: 'seconds',
    value: engine.seconds,
    baselineName: processing === 'BULK' ? 'plain SQL, one transaction' : 'plain SQL, one transaction per object',
    baseline,
    lowerIsBetter: true,
    targetRatio: processing === 'BULK' ? 2 : 1.5,
    notes: `engine: ${engine.acceptSeconds.toFixed(3)} s to accept (selection, constraints, claims), ${(engine.seconds - engine.acceptSeconds).toFixed(3)} s to run`,
  };
}

/**
 * Writes the dirty pages of what ran before, so that neither side pays for the other's changes in
 * a checkpoint that happens to fall into its run. CHECKPOINT needs a superuser (or, from
 * PostgreSQL 15, pg_checkpoint); without one the runs simply share that noise.
 */
async function settle(runtime: Runtime): Promise<void> {
  try {
    await runtime.services.db.execute(sql`checkpoint`);
  } catch {
    // Not allowed for this user: measure without it.
  }
}

/** Inserts a tenant with `count` outstanding contacts, each with the log entry of the run that marked it. */
async function seedTenant(runtime: Runtime, count: number): Promise<number> {
  const db = runtime.services.db;
  const suffix = randomBytes(4).toString('hex');
  const [type] = await db.select().from(targetSystemTypes).where(sql`${targetSystemTypes.name} = ${EXCHANGE_ONLINE}`);
  const [tenant] = await db.insert(tenants).values({ name: `Bench ${suffix}`, primaryDomain: `bench-${suffix}.example.com` }).returning();
  const [system] = await db.insert(targetSystems).values({ tenantId: tenant!.id, targetSystemTypeId: type!.id, name: `Exchange Online (${suffix})` }).returning();
  await db.execute(sql`
    with inserted as (
      insert into objects (tenant_id, target_system_id, sync_table_id, key, display_name, properties, outstanding_since, outstanding_cause, last_log_at, last_log_method)
      select ${tenant!.id}, ${system!.id}, (select id from sync_tables where name = 'MailContact'), k.key, 'Partner ' || n,
             jsonb_build_object('Guid', k.key, 'Name', 'Partner ' || n, 'DisplayName', 'Partner ' || n, 'ExternalEmailAddress', 'SMTP:partner' || n || '@${sql.raw(suffix)}.example.org'),
             now() - interval '1 day', 'MISSING', now() - interval '1 day', 'MARK_OUTSTANDING'
      from generate_series(1, ${count}) as n, lateral (select n as position, gen_random_uuid()::text as key) k
      returning id)
    insert into log_entries (object_id, method, message, created_at)
    select id, 'MARK_OUTSTANDING', 'Missing from the snapshot; marked outstanding.', now() - interval '1 day' from inserted`);
  return tenant!.id;
}

async function timeEngine(runtime: Runtime, tenantId: number, processing: 'BULK' | 'SEQUENTIAL', method: 'RESET' | 'DELETE') {
  const { services } = runtime;
  const started = performance.now();
  const { bulkOperation } = await submitRework(services, operatingSystemActor(), {
    method,
    filter: { tenantIds: [tenantId] },
    processing,
    continueOnError: false,
    dryRun: false,
  });
  const acceptSeconds = (performance.now() - started) / 1000;
  for (;;) {
    const operation = await loadBulkOperation(services.db, bulkOperation!.id);
    if (operation && isFinalBulkOperationStatus(operation.status)) {
      if (operation.status !== 'SUCCEEDED') throw new Error(`benchmark operation ${operation.status}: ${operation.statusReason}`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { seconds: (performance.now() - started) / 1000, acceptSeconds };
}

const audit = (method: string) => sql`
  insert into audit_events (actor, actor_role, action, outcome, tenant_id, subject_type, subject_id, details, created_at)
  select 'bench', 'admin', ${`rework.${method.toLowerCase()}`}, 'SUCCEEDED', o.tenant_id, 'TargetSystemObject', o.id::text,
         jsonb_build_object('displayName', o.display_name, 'key', o.key), now()`;

async function timePlainBulk(runtime: Runtime, tenantId: number, method: 'RESET' | 'DELETE'): Promise<number> {
  const db = runtime.services.db;
  const selectedAs = (alias: string) => sql`${sql.raw(alias)}.tenant_id = ${tenantId} and ${sql.raw(alias)}.outstanding_since is not null`;
  const selected = selectedAs('o');
  const started = performance.now();
  await db.transaction(async (tx) => {
    await tx.execute(sql`${audit(method)} from objects o where ${selected}`);
    if (method === 'DELETE') {
      // A delete takes the objects' direct assignment rows with it (there are none in this data
      // set, but finding them is part of the change), audited like the objects.
      const assignmentRows = sql`not o.is_indirect and (o.container_id in (select s.id from objects s where ${selectedAs('s')})
                                   or o.member_id in (select s.id from objects s where ${selectedAs('s')}))`;
      await tx.execute(sql`${audit(method)} from objects o where ${assignmentRows}`);
      await tx.execute(sql`delete from objects o where ${assignmentRows}`);
      await tx.execute(sql`delete from objects o where ${selected}`);
      return;
    }
    await tx.execute(sql`insert into log_entries (object_id, method, message, created_at)
      select o.id, 'RESET', 'Reset: the outstanding mark was removed.', now() from objects o where ${selected}`);
    await tx.execute(sql`update objects o set outstanding_since = null, outstanding_cause = null, version = o.version + 1, updated_at = now(),
      last_log_at = now(), last_log_method = 'RESET' where ${selected}`);
  });
  return (performance.now() - started) / 1000;
}

async function timePlainSequential(runtime: Runtime, tenantId: number): Promise<number> {
  const db = runtime.services.db;
  const ids = (await queryRows<{ id: string | number }>(db, sql`select id from objects where tenant_id = ${tenantId} order by id`)).map((row) => Number(row.id));
  const started = performance.now();
  for (const id of ids) {
    await db.transaction(async (tx) => {
      await tx.execute(sql`update objects o set outstanding_since = null, outstanding_cause = null, version = o.version + 1, updated_at = now(),
        last_log_at = now(), last_log_method = 'RESET' where o.id = ${id}`);
      await tx.execute(sql`insert into log_entries (object_id, method, message, created_at) values (${id}, 'RESET', 'Reset: the outstanding mark was removed.', now())`);
      await tx.execute(sql`${audit('RESET')} from objects o where o.id = ${id}`);
    });
  }
  return (performance.now() - started) / 1000;
}

/** Both sides must have changed the same rows the same way. */
async function verifyDone(runtime: Runtime, tenantId: number, count: number, method: 'RESET' | 'DELETE'): Promise<void> {
  const [row] = await queryRows<{ remaining: string | number; logged: string | number; audited: string | number }>(
    runtime.services.db,
    sql`select (select count(*) from objects where tenant_id = ${tenantId} and ${method === 'DELETE' ? sql`true` : sql`outstanding_since is not null`}) as remaining,
               (select count(*) from log_entries l join objects o on o.id = l.object_id where o.tenant_id = ${tenantId} and l.method = 'RESET') as logged,
               (select count(*) from audit_events where tenant_id = ${tenantId} and action = ${`rework.${method.toLowerCase()}`}) as audited`,
  );
  const expectedLog = method === 'RESET' ? count : 0;
  if (Number(row!.remaining) !== 0 || Number(row!.logged) !== expectedLog || Number(row!.audited) !== count) {
    throw new Error(`tenant ${tenantId}: ${JSON.stringify(row)} after ${method}; expected 0 remaining, ${expectedLog} log entries, ${count} audit records`);
  }
}
