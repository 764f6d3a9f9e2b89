import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { generateCsvFile, generateJsonFile, sampleMailUser } from './generate.js';
import { open, tempFolder } from './helpers.js';

const MB = 1024 * 1024;

/** Returns a function that runs a full garbage collection, or undefined where V8 refuses to expose one. */
function garbageCollector(): (() => void) | undefined {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

/**
 * Streams every record of a one-table snapshot and measures memory every 5,000 records. Where a GC can be forced,
 * the heap is measured right after one, so it counts retained memory and not garbage. The RSS is measured as well.
 */
async function streamAndMeasure(folder: string) {
  const gc = garbageCollector();
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  let heapGrowth = 0;
  let rssGrowth = 0;
  let count = 0;
  const started = performance.now();

  const [table] = await open([folder]);
  for await (const record of table!.records) {
    count += 1;
    if (count === 1) expect(record.properties).toMatchObject({ Alias: 'user0', EmailAddresses: sampleMailUser(0).EmailAddresses });
    if (count % 5000 === 0) {
      gc?.();
      heapGrowth = Math.max(heapGrowth, process.memoryUsage().heapUsed - heapBefore);
      rssGrowth = Math.max(rssGrowth, process.memoryUsage().rss - rssBefore);
    }
  }
  return { count, seconds: (performance.now() - started) / 1000, heapGrowth, rssGrowth, forcedGc: gc !== undefined };
}

describe('large snapshot files', () => {
  const cases = [
    { format: 'CSV', file: 'MailUser.csv', rows: 60_000, generate: generateCsvFile },
    { format: 'JSON', file: 'MailUser.json', rows: 50_000, generate: generateJsonFile },
  ];

  for (const { format, file, rows, generate } of cases) {
    it(`streams a 100 MB ${format} file in bounded memory`, async () => {
      const folder = await tempFolder();
      const size = await generate(join(folder, file), rows);
      expect(size).toBeGreaterThan(95 * MB);

      const result = await streamAndMeasure(folder);
      console.log(
        `${format}: ${rows} rows, ${(size / MB).toFixed(0)} MiB in ${result.seconds.toFixed(1)} s; ` +
          `heap growth ${(result.heapGrowth / MB).toFixed(1)} MiB${result.forcedGc ? ' after GC' : ''}, RSS growth ${(result.rssGrowth / MB).toFixed(0)} MiB`,
      );

      expect(result.count).toBe(rows);
      expect(result.seconds).toBeLessThan(10);
      if (result.forcedGc) expect(result.heapGrowth).toBeLessThan(60 * MB);
      else expect(result.rssGrowth).toBeLessThan(size / 2);
    });
  }
});
