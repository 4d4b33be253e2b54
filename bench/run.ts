/**
 * `npm run bench`: every benchmark the issues name, in one run. Prints tables and writes
 * bench/results/<name>.json. `npm run bench -- gateway` runs one section.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { benchGatewayLatency, formatLatencyTable } from './gateway-latency.ts';

const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
mkdirSync('bench/results', { recursive: true });

function save(name: string, data: unknown): void {
  writeFileSync(`bench/results/${name}.json`, `${JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: availableParallelism(), data }, null, 2)}\n`);
}

if (want('gateway')) {
  console.log(`\n## Gateway added latency (${seconds} s per cell; mock upstream, autocannon)\n`);
  const rows = await benchGatewayLatency({ seconds });
  console.log(formatLatencyTable(rows));
  save('gateway', rows);
}
