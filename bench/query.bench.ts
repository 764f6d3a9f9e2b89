/**
 * Throughput and latency of the outstanding page query (100 objects with table, target system type,
 * log information, constraints and membership sides) under 20 concurrent clients, beside a
 * one-SQL-statement baseline route on the same server, measured in the same run:
 *
 * - PostgreSQL: a fresh database of 1,000,000 objects, 100,000 of them outstanding, created and
 *   dropped by the benchmark. Needs BENCH_DATABASE_URL or TEST_DATABASE_URL (an account that may
 *   create databases); without one this part is skipped.
 * - PGlite: a fresh data folder with 100,000 objects, 10,000 of them outstanding.
 *
 * BENCH_SECONDS sets the measuring time per endpoint (default 10; a 2-second warm-up comes first),
 * BENCH_LOG_LEVEL the server's log level (default silent).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { startServer } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase, runMigrations } from '../src/db/client.ts';
import { operatingSystemActor } from '../src/domain/actor.ts';
import { createApiToken } from '../src/domain/api-tokens.ts';
import { ensureBuiltInCatalog } from '../src/domain/built-in-catalog.ts';
import { createLogger } from '../src/logger.ts';
import { BASELINE_PATH, baselineRoute } from './baseline-route.ts';
import { OUTSTANDING_PAGE_QUERY } from './outstanding-page-query.ts';
import { generateObjects } from './query-data.ts';
import type { Benchmark, BenchResult } from './run.ts';

const CONCURRENCY = 20;
const PAGE_SIZE = 100;
const measureMs = Number(process.env.BENCH_SECONDS ?? 10) * 1000;
const warmUpMs = 2000;

interface Target {
  label: string;
  objects: number;
  /** Environment for loadConfig, and how to remove the database afterwards. */
  create(): Promise<{ env: Record<string, string>; drop(): Promise<void> }>;
}

export const benchmark: Benchmark = {
  name: 'outstanding page query',
  async run() {
    const results: BenchResult[] = [];
    const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
    if (adminUrl) results.push(...(await measure(postgresTarget(adminUrl))));
    else console.log('  PostgreSQL part skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL to a URL that may create databases.');
    results.push(...(await measure(pgliteTarget())));
    return results;
  },
};

function postgresTarget(adminUrl: string): Target {
  return {
    label: 'PostgreSQL, 1,000,000 objects',
    objects: 1_000_000,
    async create() {
      const name = `syncrework_bench_${randomBytes(4).toString('hex')}`;
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${name}`);
      await admin.end();
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return {
        env: { DATABASE_URL: url.toString() },
        drop: async () => {
          const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
          await cleanup.unsafe(`drop database if exists ${name} with (force)`);
          await cleanup.end();
        },
      };
    },
  };
}

function pgliteTarget(): Target {
  return {
    label: 'PGlite, 100,000 objects',
    objects: 100_000,
    async create() {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sw-bench-'));
      return { env: { SYNCREWORK_DATA_DIR: dataDir }, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
    },
  };
}

async function measure(target: Target): Promise<BenchResult[]> {
  const database = await target.create();
  try {
    const config = loadConfig({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      SEED_DEMO: 'false',
      RATE_LIMIT_PER_MINUTE: '1000000',
      ...database.env,
    });

    // Data and token go in before the server starts, so the server never starts on an empty database
    // (which would make it create and print an initial admin token).
    const started = performance.now();
    const handle = await openDatabase({ url: config.DATABASE_URL, dataDir: config.SYNCREWORK_DATA_DIR });
    await runMigrations(handle);
    await ensureBuiltInCatalog(handle.db);
    const generated = await generateObjects(handle.db, target.objects);
    const { token } = await createApiToken(handle.db, operatingSystemActor(), { name: 'bench', role: 'viewer' });
    await handle.close();
    const setupSeconds = (performance.now() - started) / 1000;
    console.log(`  ${target.label}: generated ${generated.objects} objects (${generated.outstanding} outstanding) in ${setupSeconds.toFixed(1)} s`);

    const server = await startServer(config, createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'silent', format: 'json' }), { extraRoutes: (services) => [baselineRoute(services)] });
    try {
      const page = (withCount: boolean) => ({
        url: `${server.url}/graphql`,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: OUTSTANDING_PAGE_QUERY, variables: { first: PAGE_SIZE, withCount } }),
        expectJson: true,
      });
      const baseline = { url: `${server.url}${BASELINE_PATH}`, method: 'GET', headers: { authorization: `Bearer ${token}` }, body: null, expectJson: false };

      const baselineRun = await load(baseline);
      const pageRun = await load(page(false));
      const countedRun = await load(page(true));
      return [...compare(`${target.label}: page`, pageRun, baselineRun), ...compare(`${target.label}: page with totalCount`, countedRun, baselineRun)];
    } finally {
      await server.close();
    }
  } finally {
    await database.drop();
  }
}

interface LoadRun {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  count: number;
}

/** Warms the endpoint up, then measures it. */
async function load(options: { url: string; method: string; headers: Record<string, string>; body: string | null; expectJson: boolean }): Promise<LoadRun> {
  await loadFor({ ...options, durationMs: warmUpMs });
  return loadFor({ ...options, durationMs: measureMs });
}

async function loadFor(options: { url: string; method: string; headers: Record<string, string>; body: string | null; expectJson: boolean; durationMs: number }): Promise<LoadRun> {
  const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), { workerData: { ...options, concurrency: CONCURRENCY } });
  const report = await new Promise<{ latencies: number[]; failures: number; firstFailure: string | null; elapsedMs: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  if (report.failures > 0) throw new Error(`${report.failures} requests to ${options.url} failed; the first: ${report.firstFailure}`);
  const sorted = report.latencies.sort((a, b) => a - b);
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
  return { requestsPerSecond: (sorted.length * 1000) / report.elapsedMs, p50: at(0.5), p99: at(0.99), count: sorted.length };
}

function compare(label: string, page: LoadRun, baseline: LoadRun): BenchResult[] {
  const notes = `${CONCURRENCY} clients, ${measureMs / 1000} s each; ${page.count} page requests, ${baseline.count} baseline requests`;
  return [
    { name: `${label} requests/s`, unit: 'requests/s', value: page.requestsPerSecond, baselineName: 'one-SQL baseline', baseline: baseline.requestsPerSecond, lowerIsBetter: false, notes },
    { name: `${label} p50 latency`, unit: 'ms', value: page.p50, baselineName: 'one-SQL baseline', baseline: baseline.p50, lowerIsBetter: true },
    { name: `${label} p99 latency`, unit: 'ms', value: page.p99, baselineName: 'one-SQL baseline', baseline: baseline.p99, lowerIsBetter: true },
  ];
}
