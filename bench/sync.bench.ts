/**
 * A synchronization run over 50,000 recipients and 200,000 memberships on PostgreSQL: a full
 * import, then a forced run in which 5 % of the recipients and memberships vanished. Its time is
 * compared with the time PostgreSQL takes for bare INSERTs of the same 250,000 rows into a copy of
 * the objects table, measured in the same process. Uses BENCH_DATABASE_URL (default: the local
 * PostgreSQL) to create a fresh database, and drops it afterwards.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { createRuntime, type Runtime } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { operatingSystemActor } from '../src/domain/actor.ts';
import { executeSynchronizationRun } from '../src/domain/synchronization/run.ts';
import { createSynchronizationRun } from '../src/domain/synchronization/start.ts';
import { loadSynchronizationRuns } from '../src/domain/synchronization-runs.ts';
import { createTenant } from '../src/domain/tenants.ts';
import { createLogger } from '../src/logger.ts';
import type { Benchmark, BenchResult } from './run.ts';

const MAIL_USERS = 40_000;
const MAIL_CONTACTS = 10_000;
const GROUPS = 500;
const MEMBERSHIPS = 200_000;
const VANISHED_PERCENT = 5;

const hex = (n: number) => n.toString(16).padStart(12, '0');
const userGuid = (n: number) => `3f2a1c4e-0000-4000-8000-${hex(n)}`;
const contactGuid = (n: number) => `9a7b6c5d-0000-4000-8000-${hex(n)}`;
const groupGuid = (n: number) => `0f1e2d3c-0000-4000-8000-${hex(n)}`;
/** Recipient number `n` of all 50,000: mail users first, then mail contacts. */
const recipientGuid = (n: number) => (n < MAIL_USERS ? userGuid(n) : contactGuid(n - MAIL_USERS));

function mailUser(n: number): Record<string, unknown> {
  const alias = `user${n}`;
  return {
    Guid: userGuid(n),
    ExternalDirectoryObjectId: `48d31887-5fad-4d73-a9f5-${hex(n)}`,
    Name: alias,
    Alias: alias,
    DisplayName: `Sample User ${n}`,
    FirstName: 'Sample',
    LastName: `User ${n}`,
    PrimarySmtpAddress: `${alias}@M365x214355.onmicrosoft.com`,
    ExternalEmailAddress: `SMTP:${alias}@contoso.com`,
    RecipientTypeDetails: 'MailUser',
    EmailAddresses: [`SMTP:${alias}@M365x214355.onmicrosoft.com`, `smtp:${alias}@contoso.com`, `smtp:${alias}@adatum.com`],
    HiddenFromAddressListsEnabled: n % 7 === 0,
    CustomAttribute1: `Department ${n % 40}`,
    CustomAttribute2: `Cost center ${n % 300}`,
    WhenChanged: '/Date(1793787300000)/',
  };
}

/** The recipient of membership `n`: slot n / 500 of group n mod 500, spread over all recipients without repeats in a group. */
const memberOf = (n: number) => ((n % GROUPS) * 101 + Math.floor(n / GROUPS) * 125) % (MAIL_USERS + MAIL_CONTACTS);

/** Whether recipient or membership `n` is in the later export (5 % of them vanished). */
const isKept = (n: number, later: boolean) => !later || n % Math.round(100 / VANISHED_PERCENT) !== 7;

export async function writeSnapshot(folder: string, later: boolean): Promise<void> {
  await writeLines(path.join(folder, 'MailUser.json'), MAIL_USERS, (n, first) => {
    if (!isKept(n, later)) return '';
    return `${first ? '[' : ','}\r\n${JSON.stringify(mailUser(n), null, 4)}`;
  }, '\r\n]\r\n');

  const contactHeader = '"Guid","Name","Alias","DisplayName","ExternalEmailAddress","RecipientTypeDetails","EmailAddresses"\r\n';
  await writeLines(path.join(folder, 'MailContact.csv'), MAIL_CONTACTS, (n, first) => {
    if (!isKept(MAIL_USERS + n, later)) return first ? contactHeader : '';
    const domain = n % 2 === 0 ? 'adatum.com' : 'tailspintoys.com';
    const row = `"${contactGuid(n)}","Partner ${n}","partner${n}","Partner ${n}","SMTP:partner${n}@${domain}","MailContact","SMTP:partner${n}@${domain}"\r\n`;
    return first ? contactHeader + row : row;
  }, '');

  await writeLines(path.join(folder, 'DistributionGroup.json'), GROUPS, (n, first) => {
    const group = { Guid: groupGuid(n), Name: `Group ${n}`, DisplayName: `Group ${n}`, RecipientTypeDetails: 'MailUniversalDistributionGroup' };
    return `${first ? '[' : ','}\r\n${JSON.stringify(group)}`;
  }, '\r\n]\r\n');

  // Membership n puts a recipient into group n mod 500, 400 distinct members per group.
  const memberHeader = '"GroupGuid","Guid","Name","DisplayName","RecipientTypeDetails"\r\n';
  await writeLines(path.join(folder, 'DistributionGroupMember.csv'), MEMBERSHIPS, (n, first) => {
    const recipient = memberOf(n);
    const keep = isKept(n, later) && isKept(recipient, later);
    if (!keep) return first ? memberHeader : '';
    const type = recipient < MAIL_USERS ? 'MailUser' : 'MailContact';
    const row = `"${groupGuid(n % GROUPS)}","${recipientGuid(recipient)}","member${recipient}","Member ${recipient}","${type}"\r\n`;
    return first ? memberHeader + row : row;
  }, '');
}

async function writeLines(file: string, count: number, line: (n: number, first: boolean) => string, trailer: string): Promise<void> {
  const out = createWriteStream(file);
  let batch = '';
  let first = true;
  for (let n = 0; n < count; n += 1) {
    const text = line(n, first);
    if (text !== '') first = false;
    batch += text;
    if (batch.length > 1 << 20) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch + trailer);
  await once(out, 'finish');
}

async function synchronize(runtime: Runtime, folder: string, force: boolean): Promise<{ seconds: number; counts: Record<string, number> }> {
  const { services } = runtime;
  const started = performance.now();
  const run = await createSynchronizationRun(services.db, services, operatingSystemActor(), { tenantName: 'Contoso', paths: [folder], force }, { enqueue: false });
  await executeSynchronizationRun(services, run.id, new AbortController().signal);
  const seconds = (performance.now() - started) / 1000;
  const [done] = await loadSynchronizationRuns(services.db, [run.id]);
  if (done?.status !== 'SUCCEEDED') throw new Error(`benchmark run ${done?.status}: ${done?.statusReason}`);
  return { seconds, counts: done.counts };
}

/**
 * Sends the same rows as bare INSERTs (1,000 rows a statement, as JSON, the way the run stages
 * them) into a copy of `objects` with its indexes: no comparison, no log, no identities.
 */
async function bareInserts(runtime: Runtime): Promise<number> {
  const db = runtime.services.db;
  await db.execute(sql`create table bench_objects (like objects including defaults including identity including indexes)`);
  const rows = function* (): Generator<Record<string, unknown>> {
    for (let n = 0; n < MAIL_USERS; n += 1) yield { k: userGuid(n), n: `Sample User ${n}`, p: mailUser(n) };
    for (let n = 0; n < MAIL_CONTACTS; n += 1) yield { k: contactGuid(n), n: `Partner ${n}`, p: { Guid: contactGuid(n), Name: `Partner ${n}` } };
    for (let n = 0; n < GROUPS; n += 1) yield { k: groupGuid(n), n: `Group ${n}`, p: { Guid: groupGuid(n), Name: `Group ${n}` } };
    for (let n = 0; n < MEMBERSHIPS; n += 1) {
      const recipient = memberOf(n);
      const key = `${groupGuid(n % GROUPS)}:${recipientGuid(recipient)}`;
      yield { k: key, n: `Member ${recipient} in Group ${n % GROUPS}`, p: { GroupGuid: groupGuid(n % GROUPS), Guid: recipientGuid(recipient) } };
    }
  };

  const started = performance.now();
  let chunk: Record<string, unknown>[] = [];
  const flush = async () => {
    await db.execute(sql`
      insert into bench_objects (tenant_id, target_system_id, sync_table_id, key, display_name, properties)
      select 1, 1, 1, r.k, r.n, r.p from json_to_recordset(${JSON.stringify(chunk)}::json) as r(k text, n text, p jsonb)`);
    chunk = [];
  };
  for (const row of rows()) {
    chunk.push(row);
    if (chunk.length === 1000) await flush();
  }
  if (chunk.length > 0) await flush();
  return (performance.now() - started) / 1000;
}

export const benchmark: Benchmark = {
  name: 'synchronization run on PostgreSQL',
  async run(): Promise<BenchResult[]> {
    const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const name = `syncrework_bench_${randomBytes(4).toString('hex')}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const folder = await mkdtemp(path.join(os.tmpdir(), 'sw-bench-'));

    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    let runtime: Runtime | undefined;
    try {
      await writeSnapshot(folder, false);
      await mkdir(path.join(folder, 'later'));
      await writeSnapshot(path.join(folder, 'later'), true);
      const config = loadConfig({ DATABASE_URL: url.toString(), SYNCREWORK_DATA_DIR: folder, SEED_DEMO: 'false' });
      runtime = await createRuntime(config, createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'warn', format: 'json' }), { startWorker: false });
      await createTenant(runtime.services.db, { name: 'Contoso', primaryDomain: 'contoso.com' });

      const first = await synchronize(runtime, folder, false);
      const rssBefore = process.memoryUsage().rss;
      peakRss = rssBefore;
      const later = await synchronize(runtime, path.join(folder, 'later'), true);
      const baseline = await bareInserts(runtime);

      const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
      return [
        {
          name: `forced run, ${VANISHED_PERCENT} % vanished (${MAIL_USERS + MAIL_CONTACTS} recipients, ${MEMBERSHIPS} memberships)`,
          unit: 'seconds',
          value: later.seconds,
          baselineName: 'bare INSERTs of the same 250,500 rows',
          baseline,
          lowerIsBetter: true,
          notes:
            `marked outstanding ${later.counts.markedOutstanding}, unchanged ${later.counts.unchanged}; ` +
            `peak RSS during the run ${mb(peakRss)} (before it ${mb(rssBefore)}); ` +
            `first full import ${first.seconds.toFixed(1)} s (inserted ${first.counts.inserted}, identities ${first.counts.identitiesCreated})`,
        },
      ];
    } finally {
      clearInterval(sampler);
      await runtime?.close();
      await rm(folder, { recursive: true, force: true });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  },
};
