/**
 * `npm run bench`: runs every benchmark under bench/ and prints each figure beside its baseline,
 * measured in the same run, with the ratio. Pass names to run only some: `npm run bench -- sync`.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchResult {
  name: string;
  /** What was measured, e.g. `seconds` or `requests/s`. */
  unit: string;
  value: number;
  baselineName: string;
  baseline: number;
  /** True when a smaller value is better (times); false for throughput. */
  lowerIsBetter: boolean;
  /** Target for the ratio, when one is set, e.g. 2 for "within 2x of plain SQL". */
  targetRatio?: number;
  notes?: string;
}

export interface Benchmark {
  name: string;
  run(): Promise<BenchResult[]>;
}

const folder = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(folder)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => only.length === 0 || only.some((name) => file.includes(name)));

const results: BenchResult[] = [];
for (const file of files) {
  const module = (await import(pathToFileURL(path.join(folder, file)).href)) as { benchmark: Benchmark };
  console.log(`\n== ${module.benchmark.name} (${file})`);
  for (const result of await module.benchmark.run()) {
    results.push(result);
    const ratio = result.lowerIsBetter ? result.value / result.baseline : result.baseline / result.value;
    const target = result.targetRatio ? ` (target ≤ ${result.targetRatio}x: ${ratio <= result.targetRatio ? 'met' : 'MISSED'})` : '';
    console.log(
      `${result.name}: ${result.value.toFixed(3)} ${result.unit} | ${result.baselineName}: ${result.baseline.toFixed(3)} ${result.unit} | ratio ${ratio.toFixed(2)}x${target}`,
    );
    if (result.notes) console.log(`  ${result.notes}`);
  }
}
if (files.length === 0) console.log('No benchmark matched.');
