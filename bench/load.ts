/**
 * Load generation with autocannon. autocannon's own histogram has 1 ms resolution, too coarse
 * for a sub-millisecond target, so per-request times (float ms) are collected from its
 * 'response' events and summarised here.
 */
import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  errors: number;
  non2xx: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Runs `connections` concurrent keep-alive clients for `seconds` against one endpoint. The warm-up
 * runs at least 32 clients: against a paced upstream, one client sends too few requests in a
 * second for V8 to optimise the hot paths, and the measurement would then be of the interpreter.
 */
export async function runLoad(opts: { url: string; headers: Record<string, string>; body: string; connections: number; seconds: number; warmupSeconds?: number; afterWarmup?: () => Promise<void> }): Promise<LoadResult> {
  const base = { url: opts.url, method: 'POST' as const, headers: { 'content-type': 'application/json', ...opts.headers }, body: opts.body, connections: opts.connections, pipelining: 1 };
  if (opts.warmupSeconds) await autocannon({ ...base, connections: Math.max(32, opts.connections), duration: opts.warmupSeconds });
  await opts.afterWarmup?.();
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ ...base, duration: opts.seconds }, (err: unknown, res: autocannon.Result) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => { times.push(responseTime); });
  });
  times.sort((a, b) => a - b);
  return {
    requests: times.length, errors: result.errors, non2xx: result.non2xx,
    rps: times.length / opts.seconds,
    p50: percentile(times, 50), p90: percentile(times, 90), p99: percentile(times, 99),
  };
}
