/**
 * CPU profile of the server under the load of bench/query.bench.ts. The script starts the server in
 * this process and keeps 20 page requests (100 objects, totalCount) in flight from a worker thread.
 * It records the main thread with the V8 profiler and prints where the time went, by function and
 * by package, with the CPU time of the process and of PostgreSQL and the bytes allocated.
 *
 *   PROFILE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<database> npx tsx bench/query-profile.ts
 *
 * The database must exist. On an empty one the script migrates it and generates PROFILE_OBJECTS
 * objects (default 1,000,000) first, and keeps them, so later runs start at once. PROFILE_SECONDS
 * sets the recorded time (default 10, after a 3-second warm-up), PROFILE_OUTPUT a path to which the
 * raw profiles are written (`<path>.cpuprofile` and `<path>.heapprofile`, for Chrome DevTools).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { Worker } from 'node:worker_threads';
import { sql } from 'drizzle-orm';
import { startServer } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase, runMigrations } from '../src/db/client.ts';
import { queryRows } from '../src/db/sql.ts';
import { operatingSystemActor } from '../src/domain/actor.ts';
import { createApiToken } from '../src/domain/api-tokens.ts';
import { ensureBuiltInCatalog } from '../src/domain/built-in-catalog.ts';
import { createLogger } from '../src/logger.ts';
import { OUTSTANDING_PAGE_QUERY } from './outstanding-page-query.ts';
import { generateObjects } from './query-data.ts';

const databaseUrl = process.env.PROFILE_DATABASE_URL;
if (!databaseUrl) throw new Error('Set PROFILE_DATABASE_URL to a PostgreSQL database that this script may fill, e.g. postgres://postgres@127.0.0.1:5432/syncrework_profile.');
const recordMs = Number(process.env.PROFILE_SECONDS ?? 10) * 1000;
const objectCount = Number(process.env.PROFILE_OBJECTS ?? 1_000_000);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const config = loadConfig({ NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', SEED_DEMO: 'false', RATE_LIMIT_PER_MINUTE: '1000000', DATABASE_URL: databaseUrl });
const handle = await openDatabase({ url: config.DATABASE_URL });
await runMigrations(handle);
await ensureBuiltInCatalog(handle.db);
const [existing] = await queryRows<{ count: number | string }>(handle.db, sql`select count(*) as count from objects`);
if (Number(existing!.count) === 0) {
  console.log(`Generating ${objectCount} objects...`);
  await generateObjects(handle.db, objectCount);
}
const { token } = await createApiToken(handle.db, operatingSystemActor(), { name: `profile-${Date.now()}`, role: 'viewer' });
await handle.close();

const server = await startServer(config, createLogger({ level: 'silent', format: 'json' }));
try {
  const load = (durationMs: number) =>
    new Promise<{ latencies: number[]; failures: number; firstFailure: string | null; elapsedMs: number }>((resolve, reject) => {
      const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), {
        workerData: {
          url: `${server.url}/graphql`,
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: OUTSTANDING_PAGE_QUERY, variables: { first: 100, withCount: true } }),
          expectJson: true,
          concurrency: 20,
          durationMs,
        },
      });
      worker.once('message', resolve);
      worker.once('error', reject);
    });

  await load(3000);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  const cpuBefore = cpuTimes();
  const report = await load(recordMs);
  const cpuAfter = cpuTimes();
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
  const { profile: allocations } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: AllocationNode } };
  session.disconnect();
  if (report.failures > 0) throw new Error(`${report.failures} requests failed; the first: ${report.firstFailure}`);

  const requests = report.latencies.length;
  console.log(`${requests} requests in ${(report.elapsedMs / 1000).toFixed(1)} s: ${((requests * 1000) / report.elapsedMs).toFixed(1)} requests/s`);
  const cpuPerRequest = (key: keyof CpuTimes) => `${(((cpuAfter[key] - cpuBefore[key]) * 10) / requests).toFixed(2)} ms`;
  console.log(`CPU per request: server main thread ${cpuPerRequest('mainThread')}, whole process with load worker ${cpuPerRequest('process')}, PostgreSQL processes ${cpuPerRequest('postgres')}, whole machine ${cpuPerRequest('machine')}`);
  if (process.env.PROFILE_OUTPUT) {
    writeFileSync(`${process.env.PROFILE_OUTPUT}.cpuprofile`, JSON.stringify(profile));
    writeFileSync(`${process.env.PROFILE_OUTPUT}.heapprofile`, JSON.stringify(allocations));
  }
  summarize(profile, requests);
  summarizeAllocations(allocations.head, requests);
} finally {
  await server.close();
}

interface CpuTimes {
  mainThread: number;
  process: number;
  postgres: number;
  machine: number;
}

/**
 * CPU time in clock ticks (1/100 s on Linux) from /proc: this process's main thread, the whole
 * process, every process named postgres (other sessions on the same server count too), and the
 * machine's non-idle time.
 */
function cpuTimes(): CpuTimes {
  const ticksOf = (statPath: string) => {
    const fields = readFileSync(statPath, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  };
  let postgresTicks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') postgresTicks += ticksOf(`/proc/${entry}/stat`);
    } catch {
      // The process ended between listing and reading.
    }
  }
  const machine = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const machineBusy = machine.reduce((sum, value) => sum + value, 0) - machine[3]! - machine[4]!;
  return { mainThread: ticksOf(`/proc/self/task/${process.pid}/stat`), process: ticksOf('/proc/self/stat'), postgres: postgresTicks, machine: machineBusy };
}

/** Prints self time per package and per function, in ms per request and as a share of the busy samples. */
function summarize(profile: Profile, requests: number): void {
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, index) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const total = [...selfMicros.values()].reduce((sum, value) => sum + value, 0);
  const idle = profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').reduce((sum, node) => sum + (selfMicros.get(node.id) ?? 0), 0);
  const perRequest = (micros: number) => `${(micros / 1000 / requests).toFixed(2)} ms`;
  const share = (micros: number) => `${((micros / (total - idle)) * 100).toFixed(1)} %`;
  console.log(`busy ${perRequest(total - idle)} per request, idle ${((idle / total) * 100).toFixed(0)} % of the recorded time`);

  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const node of profile.nodes) {
    const micros = selfMicros.get(node.id) ?? 0;
    if (micros === 0 || node.callFrame.functionName === '(idle)') continue;
    const where = shortUrl(node.callFrame.url);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${where}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    const owner = packageOf(node.callFrame.url, node.callFrame.functionName);
    byPackage.set(owner, (byPackage.get(owner) ?? 0) + micros);
  }
  const print = (title: string, entries: Map<string, number>, count: number) => {
    console.log(`\n${title}`);
    const largest = [...entries].sort((a, b) => b[1] - a[1]).slice(0, count);
    for (const [name, micros] of largest) console.log(`  ${perRequest(micros).padStart(9)}  ${share(micros).padStart(7)}  ${name}`);
  };
  print('self time by package', byPackage, 25);
  print('self time by function', byFunction, 40);
}

interface AllocationNode {
  callFrame: ProfileNode['callFrame'];
  selfSize: number;
  children: AllocationNode[];
}

/** Prints the bytes allocated per request by the functions that allocate most (sampled, so an estimate). */
function summarizeAllocations(head: AllocationNode, requests: number): void {
  const byFunction = new Map<string, number>();
  let total = 0;
  const visit = (node: AllocationNode) => {
    total += node.selfSize;
    if (node.selfSize > 0) {
      const name = `${node.callFrame.functionName || '(anonymous)'} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
    }
    node.children.forEach(visit);
  };
  visit(head);
  const kilobytes = (bytes: number) => `${(bytes / 1024 / requests).toFixed(0)} KiB`;
  console.log(`\nallocated per request (sampled): ${kilobytes(total)}`);
  const largest = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 30);
  for (const [name, bytes] of largest) console.log(`  ${kilobytes(bytes).padStart(9)}  ${name}`);
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const source = url.indexOf('/src/');
  return source >= 0 ? url.slice(source + 1) : url.replace(/^file:\/\//, '');
}

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (url.startsWith('node:')) return 'node';
  const source = url.indexOf('/src/');
  return source >= 0 ? url.slice(source + 1).split('/').slice(0, 2).join('/') : url;
}
