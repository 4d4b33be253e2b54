/**
 * Added latency of Enclave and of Portkey's gateway over calling the mock upstream directly,
 * on the same requests, at concurrency 1 and 32, non-streaming and streaming.
 *
 * Upstreams: one that answers at once, and ones that answer at a fast model's pace. With the
 * instant one, 32 closed-loop clients keep every process on this machine's two cores busy, so
 * the numbers measure how much CPU each request costs (throughput), not what a gateway adds to a
 * model call. The paced ones are what a client of a real model sees: with every answer the same
 * length the 32 clients stay in lockstep and arrive as one burst per round; with answer lengths
 * varying as a real model's do, they spread out.
 *
 * For Enclave the run also reads its stage histogram (/metrics) before and after, to show where
 * its added time goes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad, type LoadResult } from './load.ts';
import { startChild, waitForPort, type Child } from './processes.ts';
import type { MockTiming } from '../test/support/mock-openai.ts';

const NODE = process.execPath;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface LatencyRow {
  mode: 'non-streaming' | 'streaming';
  concurrency: number;
  target: 'direct' | 'enclave' | 'portkey';
  result: LoadResult;
  addedP50?: number;
  addedP99?: number;
  /** Enclave only: mean ms per request in each pipeline stage during the run. */
  stages?: Record<string, number>;
}

type StageTotals = Map<string, { sum: number; count: number }>;

/** Reads enclave_stage_duration_seconds sums and counts from the gateway's /metrics. */
async function readStageTotals(metricsUrl: string): Promise<StageTotals> {
  const text = await (await fetch(metricsUrl)).text();
  const totals: StageTotals = new Map();
  for (const m of text.matchAll(/^enclave_stage_duration_seconds_(sum|count)\{stage="([a-z]+)"\} ([0-9.e+-]+)$/gm)) {
    const t = totals.get(m[2]!) ?? { sum: 0, count: 0 };
    t[m[1] as 'sum' | 'count'] = Number(m[3]);
    totals.set(m[2]!, t);
  }
  return totals;
}

function stageMeans(before: StageTotals, after: StageTotals): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [stage, a] of after) {
    const b = before.get(stage) ?? { sum: 0, count: 0 };
    if (a.count > b.count) out[stage] = ((a.sum - b.sum) / (a.count - b.count)) * 1000;
  }
  return out;
}

/** A fast model: 25 ms to the first token, then 200 tokens per second (a 20-word answer takes 125 ms). */
export const MODEL_PACE: MockTiming = { firstTokenMs: 25, tokenMs: 5 };
/**
 * The same model with answers of 10 to 30 words (75 to 175 ms), so clients fall out of step. Each
 * client sends this sequence of max_tokens over and over and the mock answers with that many words,
 * so direct, Enclave and Portkey each see the same lengths in the same order.
 */
export const MODEL_PACE_VARIED: MockTiming = { ...MODEL_PACE, wordsFromMaxTokens: true };
const VARIED_LENGTHS = [17, 29, 11, 23, 14, 30, 20, 12, 26, 18, 10, 24, 15, 28, 21, 13, 27, 19, 16, 25, 22];

export async function benchGatewayLatency(opts: { seconds: number; timing?: MockTiming; extraConfig?: string }): Promise<LatencyRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'enclave-bench-'));
  const children: Child[] = [];
  try {
    const env = { MOCK_FIRST_TOKEN_MS: String(opts.timing?.firstTokenMs ?? 0), MOCK_TOKEN_MS: String(opts.timing?.tokenMs ?? 0), MOCK_WORDS_FROM_MAX_TOKENS: opts.timing?.wordsFromMaxTokens ? '1' : '0' };
    const mock = await startChild(NODE, ['--import', 'tsx', 'bench/mock-server.ts'], { ready: /(http:\/\/127\.0\.0\.1:\d+\/v1)\n/, env });
    children.push(mock);
    const mockUrl = mock.match[1]!;
    const port = await freePort();
    const config = join(dir, 'enclave.yaml');
    writeFileSync(config, `server: { host: 127.0.0.1, port: ${port} }
data_dir: ${join(dir, 'data')}
logging: { level: info }
models:
  - { id: bench, backend: openai, base_url: "${mockUrl}", upstream_model: mock, accredited: "SECRET//NOFORN", retries: 2 }
users:
  - { id: bench, name: Bench User, clearance: "SECRET//NOFORN", nationality: USA, roles: [analyst] }
${opts.extraConfig ?? ''}`);
    const key = execFileSync(NODE, ['bin/enclave.js', 'keys', 'create', '--user', 'bench', '--config', config], { encoding: 'utf8' }).trim();
    const enclave = await startChild(NODE, ['bin/enclave.js', 'serve', '--config', config], { ready: /Enclave listening on (\S+)/ });
    children.push(enclave);
    const portkeyPort = await freePort();
    const portkey = await startChild(NODE, ['node_modules/@portkey-ai/gateway/build/start-server.js', `--port=${portkeyPort}`, '--headless'], { ready: /Ready for connections|running at/ });
    children.push(portkey);
    await waitForPort(portkeyPort);

    const targets = {
      direct: { url: `${mockUrl}/chat/completions`, headers: { authorization: 'Bearer mock' } },
      enclave: { url: `http://127.0.0.1:${port}/v1/chat/completions`, headers: { authorization: `Bearer ${key}` } },
      portkey: { url: `http://127.0.0.1:${portkeyPort}/v1/chat/completions`, headers: { authorization: 'Bearer mock', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': mockUrl } },
    } as const;
    const rows: LatencyRow[] = [];
    for (const mode of ['non-streaming', 'streaming'] as const) {
      for (const concurrency of [1, 32]) {
        // One paced client sends ~8 requests a second: give it long enough for a p99 to mean something.
        const seconds = opts.timing && concurrency === 1 ? Math.max(opts.seconds, 15) : opts.seconds;
        const request = (maxTokens: number) => JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'Summarise the logistics report for the northern depot in two sentences.' }], max_tokens: maxTokens, stream: mode === 'streaming' });
        const body = opts.timing?.wordsFromMaxTokens ? VARIED_LENGTHS.map(request) : [request(64)];
        const asMock = body.map((b) => b.replace('"bench"', '"mock"'));
        const direct = await runLoad({ ...targets.direct, body: asMock, connections: concurrency, seconds, warmupSeconds: 2 });
        rows.push({ mode, concurrency, target: 'direct', result: direct });
        for (const target of ['enclave', 'portkey'] as const) {
          const metricsUrl = `http://127.0.0.1:${port}/metrics`;
          let before: StageTotals | undefined;
          const r = await runLoad({
            ...targets[target], body: target === 'portkey' ? asMock : body, connections: concurrency, seconds, warmupSeconds: 2,
            ...(target === 'enclave' ? { afterWarmup: async () => { before = await readStageTotals(metricsUrl); } } : {}),
          });
          const stages = before ? stageMeans(before, await readStageTotals(metricsUrl)) : undefined;
          rows.push({ mode, concurrency, target, result: r, addedP50: r.p50 - direct.p50, addedP99: r.p99 - direct.p99, ...(stages ? { stages } : {}) });
        }
      }
    }
    return rows;
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Renders Enclave's mean time per stage for each cell as a Markdown table (ms). */
export function formatStageTable(rows: readonly LatencyRow[]): string {
  const withStages = rows.filter((r) => r.stages);
  const names = ['identify', 'validate', 'guard', 'decide', 'retrieve', 'route', 'upstream', 'output', 'audit'];
  const lines = [`| mode | concurrency | ${names.join(' | ')} |`, `|---|---|${names.map(() => '---').join('|')}|`];
  for (const r of withStages) lines.push(`| ${r.mode} | ${r.concurrency} | ${names.map((n) => (r.stages![n] === undefined ? '' : r.stages![n]!.toFixed(3))).join(' | ')} |`);
  return lines.join('\n');
}

/** Renders rows as a Markdown table (times in ms). */
export function formatLatencyTable(rows: readonly LatencyRow[]): string {
  const f = (n: number | undefined) => (n === undefined ? '' : n.toFixed(3));
  const lines = ['| mode | concurrency | target | req/s | p50 ms | p99 ms | added p50 ms | added p99 ms | errors |', '|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    lines.push(`| ${r.mode} | ${r.concurrency} | ${r.target} | ${r.result.rps.toFixed(0)} | ${f(r.result.p50)} | ${f(r.result.p99)} | ${f(r.addedP50)} | ${f(r.addedP99)} | ${r.result.errors + r.result.non2xx} |`);
  }
  return lines.join('\n');
}
