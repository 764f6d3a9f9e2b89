/**
 * Prints the PostgreSQL plan summary and execution time of the outstanding list's statements, for
 * each filter and order, on a fresh database of 1,000,000 objects (100,000 outstanding) that it
 * creates and drops. docs/query-api.md records the output.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/query-plans.ts
 *
 * PLAN=<part of a label> also prints that statement's whole plan.
 */
import { randomBytes } from 'node:crypto';
import { and, count } from 'drizzle-orm';
import postgres from 'postgres';
import { openDatabase, runMigrations } from '../src/db/client.ts';
import { objects } from '../src/db/schema.ts';
import { accountFilterCondition } from '../src/domain/account-filter.ts';
import { ensureBuiltInCatalog } from '../src/domain/built-in-catalog.ts';
import { joinObjectFacts, objectRowColumns } from '../src/domain/object-reads.ts';
import { filterNeedsObjectFacts, outstandingCondition, type OutstandingObjectFilter } from '../src/domain/outstanding-filter.ts';
import { keysetOrderOf, type OutstandingOrder } from '../src/domain/outstanding-objects.ts';
import { keysetCondition, keysetOrderBy } from '../src/graphql/pagination.ts';
import { generateObjects } from './query-data.ts';

type Statement = { toSQL(): { sql: string; params: unknown[] } };

const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!adminUrl) throw new Error('Set BENCH_DATABASE_URL to a PostgreSQL URL that may create databases.');

const name = `syncrework_plans_${randomBytes(4).toString('hex')}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const handle = await openDatabase({ url: url.toString() });
const client = postgres(url.toString(), { max: 1, onnotice: () => {} });

try {
  await runMigrations(handle);
  await ensureBuiltInCatalog(handle.db);
  await generateObjects(handle.db, 1_000_000);
  await printPlans();
} finally {
  await client.end();
  await handle.close();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
}

async function printPlans() {
  const db = handle.db;
  const [ids] = await client`select (select id::int from sync_tables where name = 'MailContact') as contact,
                                    (select id::int from tenants order by id limit 1 offset 2) as tenant,
                                    (select id::int from target_system_types limit 1) as type`;
  const { contact, tenant, type } = ids as { contact: number; tenant: number; type: number };

  const page = async (filter: OutstandingObjectFilter, order: OutstandingOrder, cursor: (string | number)[] | null = null) => {
    const condition = await outstandingCondition(db, filter);
    const keyset = keysetOrderOf(order);
    const request = { direction: 'forward' as const, limit: 100, cursor };
    const query = joinObjectFacts(db.select(objectRowColumns).from(objects).$dynamic());
    return { statement: query.where(and(condition, keysetCondition(keyset, request))).orderBy(...keysetOrderBy(keyset, request)).limit(101) };
  };
  const total = async (filter: OutstandingObjectFilter) => {
    const condition = await outstandingCondition(db, filter);
    if (filterNeedsObjectFacts(filter)) return { statement: joinObjectFacts(db.select({ value: count() }).from(objects).$dynamic()).where(condition) };
    return { statement: db.select({ value: count() }).from(objects).where(condition) };
  };

  const marked = { field: 'MARKED_AT', direction: 'DESC' } as const;
  const byName = { field: 'DISPLAY_NAME', direction: 'ASC' } as const;
  const lastLog = { field: 'LAST_LOG_ENTRY', direction: 'DESC' } as const;
  const dayAgo = new Date(Date.now() - 3 * 86_400_000);
  // A drizzle query is thenable, so each travels in an object to keep `await` from running it.
  const cases: [string, () => Promise<{ statement: Statement }>][] = [
    ['all, marked desc', () => page({}, marked)],
    ['all, name asc', () => page({}, byName)],
    ['all, last log desc', () => page({}, lastLog)],
    ['all, name asc, page 2 (cursor)', () => page({}, byName, ['bob lee 500003', 500003])],
    ['table, marked desc', () => page({ syncTableIds: [contact] }, marked)],
    ['table, name asc', () => page({ syncTableIds: [contact] }, byName)],
    ['table, last log desc', () => page({ syncTableIds: [contact] }, lastLog)],
    ['tenant, marked desc', () => page({ tenantIds: [tenant] }, marked)],
    ['tenant, name asc', () => page({ tenantIds: [tenant] }, byName)],
    ['tenant, last log desc', () => page({ tenantIds: [tenant] }, lastLog)],
    ['type, marked desc', () => page({ targetSystemTypeIds: [type] }, marked)],
    ['kind MEMBERSHIP, marked desc', () => page({ objectKinds: ['MEMBERSHIP'] }, marked)],
    ['canRun PUBLISH, marked desc', () => page({ canRun: 'PUBLISH' }, marked)],
    ['canRun DELETE, marked desc', () => page({ canRun: 'DELETE' }, marked)],
    ['canRun RESET, name asc', () => page({ canRun: 'RESET' }, byName)],
    ['marked in one day, marked desc', () => page({ markedFrom: dayAgo, markedBefore: new Date(dayAgo.getTime() + 86_400_000) }, marked)],
    ['lastMethodRun MARK_OUTSTANDING, marked desc', () => page({ lastMethodRun: ['MARK_OUTSTANDING'] }, marked)],
    ['hasLogEntry false, marked desc', () => page({ hasLogEntry: false }, marked)],
    ['search "ann lee", marked desc', () => page({ search: 'ann lee' }, marked)],
    ['search "hugo 99", name asc', () => page({ search: 'hugo 99' }, byName)],
    ['count: all', () => total({})],
    ['count: table', () => total({ syncTableIds: [contact] })],
    ['count: tenant', () => total({ tenantIds: [tenant] })],
    ['count: search "ann lee"', () => total({ search: 'ann lee' })],
    ['count: hasLogEntry false', () => total({ hasLogEntry: false })],
    ['count: canRun DELETE', () => total({ canRun: 'DELETE' })],
    ['count: canRun PUBLISH', () => total({ canRun: 'PUBLISH' })],
    [
      'accounts LINKED of a tenant',
      async () => ({ statement: db.select({ id: objects.id }).from(objects).where(accountFilterCondition({ tenantId: tenant, linkState: 'LINKED' })).orderBy(objects.id).limit(101) }),
    ],
  ];

  console.log('| statement | execution | plan nodes |\n|---|---|---|');
  for (const [label, build] of cases) await explain(label, (await build()).statement);
}

async function explain(label: string, statement: Statement) {
  const { sql: text, params } = statement.toSQL();
  const rows = await client.unsafe(`explain (analyze, costs off, summary on) ${text}`, params as never[]);
  const lines = rows.map((row) => (row as Record<string, string>)['QUERY PLAN']!);
  const execution = lines.find((line) => line.startsWith('Execution Time'))?.replace('Execution Time: ', '');
  const nodes = lines
    .map((line) => line.replace(/\s+\(actual.*$/, '').replace(/^\s*->\s*/, '').trim())
    .filter((line) => /^(Limit|Sort|Aggregate|Nested Loop|Hash|Merge|Index|Bitmap|Seq Scan|SubPlan)/.test(line))
    .slice(0, 6);
  console.log(`| ${label} | ${execution} | ${nodes.join(' → ')} |`);
  if (process.env.PLAN && label.includes(process.env.PLAN)) console.log(lines.join('\n'));
}
