/**
 * `npm run bench`: every benchmark the issues name, in one run. Prints tables and writes
 * bench/results/<name>.json. `npm run bench -- gateway` runs one section.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { benchGuards } from '../src/guards/index.ts';
import { benchPolicy } from '../src/policy/bench.ts';
import { benchAuditSection } from './audit.ts';
import { benchRetrieval, type BenchPrincipal } from '../src/retrieval/bench.ts';
import { createDecisionCache, portionGateFor } from '../src/gateway/index.ts';
import { toPrincipal } from '../src/identity/index.ts';
import { createPolicyEngine } from '../src/policy/index.ts';
import { probeFdatasync } from './disk.ts';
import { benchGatewayLatency, formatLatencyTable, formatStageTable, MODEL_PACE, MODEL_PACE_VARIED } from './gateway-latency.ts';

const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
mkdirSync('bench/results', { recursive: true });

function save(name: string, data: unknown): void {
  writeFileSync(`bench/results/${name}.json`, `${JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: availableParallelism(), data }, null, 2)}\n`);
}

if (want('gateway')) {
  const pace = `${MODEL_PACE.firstTokenMs} ms to first token, ${MODEL_PACE.tokenMs} ms per token`;
  const show = (title: string, rows: Awaited<ReturnType<typeof benchGatewayLatency>>) => {
    console.log(`\n## ${title} (${seconds} s per cell)\n\n${formatLatencyTable(rows)}\n\nEnclave, mean ms per request in each stage:\n\n${formatStageTable(rows)}`);
  };
  const varied = await benchGatewayLatency({ seconds, timing: MODEL_PACE_VARIED });
  show(`Gateway added latency, upstream at a model's pace, answers of 10 to 30 words (${pace})`, varied);
  const lockstep = await benchGatewayLatency({ seconds, timing: MODEL_PACE });
  show(`Gateway added latency, upstream at a model's pace, every answer 20 words: clients in lockstep (${pace})`, lockstep);
  const instant = await benchGatewayLatency({ seconds });
  show('Gateway cost per request, instant upstream (every process shares the cores)', instant);
  // Every audited request waits for one durable commit: what the disk alone takes for one.
  const disk = await probeFdatasync();
  const f = (n: number) => n.toFixed(3);
  console.log(`\n## This disk: 4 KiB write + fdatasync\n\nafter ${disk.idleMs} ms idle: p50 ${f(disk.idleP50)} ms, p90 ${f(disk.idleP90)} ms; back to back: p50 ${f(disk.backToBackP50)} ms, p90 ${f(disk.backToBackP90)} ms`);
  save('gateway', { timing: { varied: MODEL_PACE_VARIED, lockstep: MODEL_PACE }, varied, lockstep, instant, disk });
}

if (want('policy')) {
  console.log('\n## Policy decisions (shipped policies + 100 deployment policies)\n');
  const r = await benchPolicy();
  console.log(JSON.stringify(r, null, 2));
  save('policy', r);
}

if (want('retrieval')) {
  const sizes = (process.env.BENCH_RETRIEVAL_SIZES ?? '100000,1000000').split(',').map(Number);
  console.log(`\n## Retrieval: ingest rate and clearance-filtered search (SQLite, ${sizes.join(' and ')} portions)\n`);
  // The gateway's retrieve decisions over every candidate portion, with the shipped policies.
  const policy = await createPolicyEngine();
  const decisions = createDecisionCache(policy);
  const policyFor = (p: BenchPrincipal) => portionGateFor({ policy, decisions }, toPrincipal(
    { id: p.name, name: p.name, clearance: p.clearanceText, nationality: p.nationality, roles: ['analyst'], disabled: false, updatedAt: new Date(0).toISOString() },
    { method: 'api_key', keyId: 'bench' },
  ));
  const r = await benchRetrieval({ sizes, log: (l) => console.log(l), policyFor });
  console.log(JSON.stringify(r, null, 2));
  save('retrieval', r);
}

if (want('guards')) {
  console.log('\n## Guard latency per message, all local layers (normalise, rules, classifier)\n');
  const r = await benchGuards();
  console.log(JSON.stringify(r, null, 2));
  save('guards', r);
}

if (want('audit')) {
  console.log('\n## Audit: checkpoint signing, proof verification, full verify of 1,000,000 entries, durable appends\n');
  const r = await benchAuditSection({ entries: Number(process.env.BENCH_AUDIT_ENTRIES ?? 1_000_000) });
  console.log(JSON.stringify(r, null, 2));
  save('audit', r);
}
