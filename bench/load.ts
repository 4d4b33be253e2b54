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
export async function runLoad(opts: {
  url: string; headers: Record<string, string>; connections: number; seconds: number; warmupSeconds?: number; afterWarmup?: () => Promise<void>;
  /**
   * One body, or a sequence that each client sends in order, over and over. Client k starts at
   * element k (mod the length), so clients are out of phase with each other, and client k sends
   * the same sequence in every run: two targets loaded alike get the same requests.
   */
  body: string | readonly string[];
}): Promise<LoadResult> {
  const bodies = typeof opts.body === 'string' ? [opts.body] : opts.body;
  const base = { url: opts.url, method: 'POST' as const, headers: { 'content-type': 'application/json', ...opts.headers }, connections: opts.connections, pipelining: 1, body: bodies[0]! };
  // autocannon builds clients in order and calls setupClient before each connects.
  const phased = () => {
    let next = 0;
    return (client: autocannon.Client) => {
      if (bodies.length < 2) return;
      const k = next++ % bodies.length;
      client.setRequests([...bodies.slice(k), ...bodies.slice(0, k)].map((body) => ({ method: 'POST', body })));
    };
  };
  if (opts.warmupSeconds) await autocannon({ ...base, connections: Math.max(32, opts.connections), duration: opts.warmupSeconds, setupClient: phased() });
  await opts.afterWarmup?.();
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ ...base, duration: opts.seconds, setupClient: phased() }, (err: unknown, res: autocannon.Result) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => { times.push(responseTime); });
  });
  times.sort((a, b) => a - b);
  return {
    requests: times.length, errors: result.errors, non2xx: result.non2xx,
    rps: times.length / opts.seconds,
    p50: percentile(times, 50), p90: percentile(times, 90), p99: percentile(times, 99),
  };
}
