// Load clients for bench/query.bench.ts, in a worker thread so they do not share the event loop
// with the server they measure. Keeps `concurrency` requests in flight over keep-alive
// connections for `durationMs`, and reports every latency in milliseconds.
import { Buffer } from 'node:buffer';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { URL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const { url, method, headers, body, concurrency, durationMs, expectJson } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(url);
const latencies = [];
let failures = 0;
let firstFailure = null;
const deadline = Date.now() + durationMs;

function request() {
  return new Promise((resolve) => {
    const started = performance.now();
    const outgoing = http.request(
      { hostname: target.hostname, port: target.port, path: target.pathname + target.search, method, headers, agent },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const ok = response.statusCode === 200 && (!expectJson || !text.includes('"errors"'));
          if (ok) latencies.push(performance.now() - started);
          else {
            failures += 1;
            firstFailure ??= `${response.statusCode}: ${text.slice(0, 300)}`;
          }
          resolve();
        });
      },
    );
    outgoing.on('error', (error) => {
      failures += 1;
      firstFailure ??= String(error);
      resolve();
    });
    if (body) outgoing.end(body);
    else outgoing.end();
  });
}

async function client() {
  while (Date.now() < deadline) await request();
}

const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, client));
const elapsedMs = performance.now() - started;
agent.destroy();
parentPort.postMessage({ latencies, failures, firstFailure, elapsedMs });
