/**
 * Audit benchmarks: the audit part's own numbers (checkpoint signing, full verify of 1M entries,
 * inclusion proofs), durable appends per second on the SQLite store the gateway uses, and the
 * gateway's added latency with the audit log as its recorder. `node --import tsx bench/audit.ts`
 * runs it alone; bench/run.ts calls {@link benchAuditSection}.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AuditLog, benchAudit, checkpointKeysFromRing } from '../src/audit/index.ts';
import { createKeyRing } from '../src/crypto/index.ts';
import { createSqliteAuditStore, openSqliteStore } from '../src/store/index.ts';
import { percentile } from './load.ts';

const ORIGIN = 'bench.enclave.invalid/sqlite';

export interface SqliteAppendRow { concurrency: number; appends: number; perSecond: number; p50: number; p99: number }

/** Durable appends through AuditLog over SQLite (WAL, synchronous=FULL), `concurrency` in flight. */
export async function benchSqliteAppends(appends: number, concurrency: number): Promise<SqliteAppendRow> {
  const dir = mkdtempSync(join(tmpdir(), 'enclave-bench-sqlite-audit-'));
  // As the gateway opens it: WAL checkpoints on their own thread.
  const store = openSqliteStore(join(dir, 'enclave.db'), { walCheckpointer: true });
  try {
    const auditStore = createSqliteAuditStore(store.db);
    const log = await AuditLog.open({ store: auditStore, origin: ORIGIN, keys: checkpointKeysFromRing(ORIGIN, createKeyRing()), checkpointIntervalMs: 1000, closeStore: () => auditStore.close() });
    // The writer thread starts with the first append (as the gateway's start-up entry does): not timed.
    await log.append({ kind: 'startup', actor: 'system:bench' });
    const times: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < appends) {
        const i = next++;
        const s = performance.now();
        await log.append({ kind: 'request', actor: `analyst-${i % 97}`, action: 'chat.completions', requestId: `req-${i}`, decision: 'allow', labels: ['SECRET//NOFORN'], digests: { prompt: `sha256:${'ab'.repeat(32)}` } });
        times.push(performance.now() - s);
      }
    }));
    const seconds = (performance.now() - t0) / 1000;
    await log.close();
    times.sort((a, b) => a - b);
    return { concurrency, appends, perSecond: appends / seconds, p50: percentile(times, 50), p99: percentile(times, 99) };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Everything in this section; `entries` sizes the full-verify log (default 1,000,000). */
export async function benchAuditSection(opts: { seconds?: number; entries?: number; log?: (line: string) => void }) {
  const say = opts.log ?? ((l: string) => console.log(l));
  const core = await benchAudit({ entries: opts.entries ?? 1_000_000, log: say });
  const sqlite: SqliteAppendRow[] = [];
  for (const concurrency of [1, 32, 256]) {
    const row = await benchSqliteAppends(concurrency === 1 ? 500 : 20_000, concurrency);
    sqlite.push(row);
    say(`sqlite appends: ${row.perSecond.toFixed(0)}/s durable with ${concurrency} in flight; p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms`);
  }
  // The gateway's added latency with audit on is the gateway section: every request is audited.
  return { core, sqlite };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchAuditSection({ seconds: 0, entries: Number(process.env.BENCH_AUDIT_ENTRIES ?? 1_000_000) });
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/audit.json', `${JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: availableParallelism(), data: result }, null, 2)}\n`);
}
