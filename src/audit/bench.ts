/**
 * Audit benchmarks: checkpoint signing and verification, inclusion-proof verification, full
 * verification of a synthetic export of a million entries, and durable appends per second.
 * `npm run bench` calls {@link benchAudit}; results are plain numbers keyed by metric name.
 */
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyRing, formatNoteVerifierKey, utf8 } from '../crypto/index.ts';
import { checkpointKeysFromRing, signCheckpoint, verifyCheckpoint } from './checkpoint.ts';
import { CompactRange } from './compact-range.ts';
import { finishEntry, prepareEntry, type PreparedEntry } from './entry.ts';
import { createExportStore } from './export-store.ts';
import { EXPORT_FILES, formatCheckpointLine, formatManifest } from './export-format.ts';
import { AuditLog } from './log.ts';
import { verifyInclusion } from './merkle.ts';
import { TreeHasher } from './tree-hash.ts';
import { startTsWorker } from './ts-worker.ts';

export interface BenchAuditOptions {
  /** Entries in the synthetic log for the full-verify run (default 1,000,000). */
  readonly entries?: number;
  /** Entries between checkpoints in that log (default 1,000: a busy gateway checkpointing every second). */
  readonly checkpointEvery?: number;
  /** Durable appends for the append benchmark (default 20,000). */
  readonly appends?: number;
  /** Appends in flight at once (default 256, like as many concurrent requests). */
  readonly concurrency?: number;
  /** Work directory (default: a fresh temporary one, removed afterwards). */
  readonly dir?: string;
  readonly log?: (line: string) => void;
}

export const BENCH_ORIGIN = 'bench.enclave.invalid/audit';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))]!;
}

function record(i: number): Record<string, unknown> {
  return {
    kind: i % 7 === 0 ? 'guard' : 'request',
    actor: `analyst-${i % 97}`,
    action: 'chat.completions',
    requestId: `req-${i.toString(36).padStart(8, '0')}`,
    time: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
    labels: ['SECRET//REL TO USA, FVEY'],
    decision: i % 11 === 0 ? 'deny' : 'allow',
    policyIds: ['permit-analysts', 'forbid-mass-surveillance'],
    digests: { prompt: `sha256:${'0123456789abcdef'.repeat(4)}`, answer: `sha256:${'fedcba9876543210'.repeat(4)}` },
    contentRef: `content/${i.toString(16)}`,
  };
}

/** Writes a synthetic, correctly chained and checkpointed export bundle of `count` entries; returns the checkpoint count. */
export async function writeSyntheticExport(dir: string, count: number, every: number, keys: ReturnType<typeof checkpointKeysFromRing>): Promise<number> {
  await writeFile(join(dir, EXPORT_FILES.manifest), formatManifest(BENCH_ORIGIN, 'sha256'));
  await writeFile(join(dir, EXPORT_FILES.pubkeys), keys.verifiers.map((k) => `${formatNoteVerifierKey(k)}\n`).join(''));
  const hasher = new TreeHasher('sha256');
  const range = new CompactRange(hasher);
  const templates: PreparedEntry[] = Array.from({ length: 1000 }, (_, i) => prepareEntry(record(i)));
  const entries = await open(join(dir, EXPORT_FILES.entries), 'w');
  const checkpoints = await open(join(dir, EXPORT_FILES.checkpoints), 'w');
  let prev: Uint8Array | null = null;
  let chunk: string[] = [];
  let cps = 0;
  for (let i = 0; i < count; i++) {
    const data = finishEntry(templates[i % templates.length]!, i, prev);
    prev = hasher.leafHash(utf8(data));
    range.append(prev);
    chunk.push(data);
    if ((i + 1) % every === 0 || i + 1 === count) {
      const size = i + 1;
      const rootHash = range.root();
      const note = signCheckpoint({ origin: BENCH_ORIGIN, size, rootHash }, keys.signers);
      await checkpoints.write(formatCheckpointLine({ size, rootHash, note, frontier: range.frontier(), createdAt: new Date().toISOString() }));
      cps += 1;
    }
    if (chunk.length >= 4096) {
      await entries.write(`${chunk.join('\n')}\n`);
      chunk = [];
    }
  }
  if (chunk.length > 0) await entries.write(`${chunk.join('\n')}\n`);
  await entries.close();
  await checkpoints.close();
  return cps;
}

async function verifyInWorker(dir: string, vkeys: string[]): Promise<{ seconds: number; ok: boolean; size: number; detail: string }> {
  const worker = startTsWorker(new URL('./bench-verify-worker.ts', import.meta.url), { dir, vkeys });
  try {
    return await new Promise((resolve, reject) => {
      worker.once('message', (m: { fatal?: string; seconds: number; ok: boolean; size: number; detail: string }) => (m.fatal ? reject(new Error(m.fatal)) : resolve(m)));
      worker.once('error', reject);
    });
  } finally {
    await worker.terminate();
  }
}

/** Runs the audit benchmarks and returns their numbers. */
export async function benchAudit(options: BenchAuditOptions = {}): Promise<Record<string, number>> {
  const say = options.log ?? (() => {});
  const count = options.entries ?? 1_000_000;
  const every = options.checkpointEvery ?? 1000;
  const work = options.dir ?? (await mkdtemp(join(tmpdir(), 'enclave-bench-audit-')));
  const out: Record<string, number> = {};
  const keys = checkpointKeysFromRing(BENCH_ORIGIN, createKeyRing());
  try {
    // Checkpoint signing (Ed25519 + ML-DSA-87) and verification of both lines.
    const signMs: number[] = [];
    const verifyMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const cp = { origin: BENCH_ORIGIN, size: 1_000_000 + i, rootHash: new Uint8Array(32).fill(i) };
      let t = performance.now();
      const note = signCheckpoint(cp, keys.signers);
      signMs.push(performance.now() - t);
      t = performance.now();
      if (!verifyCheckpoint(note, { keys: keys.verifiers }).ok) throw new Error('bench checkpoint did not verify');
      verifyMs.push(performance.now() - t);
    }
    out.checkpoint_sign_ms = median(signMs);
    out.checkpoint_verify_ms = median(verifyMs);
    say(`checkpoint: sign ${out.checkpoint_sign_ms.toFixed(2)} ms, verify ${out.checkpoint_verify_ms.toFixed(2)} ms (Ed25519 + ML-DSA-87)`);

    // Full verification of a synthetic export.
    const bundle = join(work, 'bundle');
    await rm(bundle, { recursive: true, force: true });
    await mkdir(bundle, { recursive: true });
    say(`writing a synthetic export of ${count} entries, a checkpoint every ${every} ...`);
    const cps = await writeSyntheticExport(bundle, count, every, keys);
    // Verified on a worker thread, so on a fresh heap as an auditor's `verify` process would be;
    // best of two runs, since the machine is shared and the first run pays for a cold page cache.
    out.full_verify_s = Number.POSITIVE_INFINITY;
    for (let run = 0; run < 2; run++) {
      const r = await verifyInWorker(bundle, keys.verifiers.map(formatNoteVerifierKey));
      if (!r.ok || r.size !== count) throw new Error(`synthetic export did not verify: ${r.detail}`);
      out.full_verify_s = Math.min(out.full_verify_s, r.seconds);
    }
    out.full_verify_entries = count;
    out.full_verify_checkpoints = cps;
    out.full_verify_entries_per_s = count / out.full_verify_s;
    say(`full verify: ${count} entries, ${cps} checkpoints in ${out.full_verify_s.toFixed(2)} s`);

    // Inclusion proofs against the synthetic log: generation through AuditLog, then verification.
    const store = await createExportStore(bundle, { origin: BENCH_ORIGIN });
    const log = await AuditLog.open({ store, origin: BENCH_ORIGIN, keys, checkpointIntervalMs: 0, closeStore: () => store.close() });
    let t = performance.now();
    const first = await log.prove(0);
    out.prove_first_s = (performance.now() - t) / 1000;
    const proofs = [first];
    const proveMs: number[] = [];
    for (let i = 1; i < 200; i++) {
      t = performance.now();
      proofs.push(await log.prove(Math.floor((i * 7919 * 131) % count)));
      proveMs.push(performance.now() - t);
    }
    out.prove_ms = median(proveMs);
    const root = (await log.latestCheckpoint())!.rootHash;
    await log.close({ checkpoint: false });
    const hasher = new TreeHasher('sha256');
    const verifyUs: number[] = [];
    for (let round = 0; round < 25; round++) {
      t = performance.now();
      for (const p of proofs) if (!verifyInclusion(p.index, p.size, p.leafHash, p.proof, root, hasher)) throw new Error('bench proof did not verify');
      verifyUs.push(((performance.now() - t) * 1000) / proofs.length);
    }
    out.inclusion_verify_us = median(verifyUs);
    say(`inclusion proofs (tree of ${count}): first ${out.prove_first_s.toFixed(2)} s (builds the cache), then ${out.prove_ms.toFixed(2)} ms; verify ${out.inclusion_verify_us.toFixed(1)} µs`);
    await rm(bundle, { recursive: true, force: true });

    // Durable appends through AuditLog over the file store (fdatasync per group commit).
    const appends = options.appends ?? 20_000;
    const concurrency = options.concurrency ?? 256;
    const appendDir = join(work, 'appends');
    await rm(appendDir, { recursive: true, force: true });
    const aStore = await createExportStore(appendDir, { origin: BENCH_ORIGIN });
    const aLog = await AuditLog.open({ store: aStore, origin: BENCH_ORIGIN, keys, checkpointIntervalMs: 1000, closeStore: () => aStore.close() });
    const latencies: number[] = [];
    let next = 0;
    t = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < appends) {
          const i = next++;
          const s = performance.now();
          await aLog.append(record(i));
          latencies.push(performance.now() - s);
        }
      }),
    );
    const seconds = (performance.now() - t) / 1000;
    await aLog.close();
    out.appends_per_s = appends / seconds;
    out.append_p50_ms = percentile(latencies, 50);
    out.append_p99_ms = percentile(latencies, 99);
    say(`appends: ${out.appends_per_s.toFixed(0)}/s durable with ${concurrency} in flight; latency p50 ${out.append_p50_ms.toFixed(2)} ms, p99 ${out.append_p99_ms.toFixed(2)} ms`);
    return out;
  } finally {
    if (!options.dir) await rm(work, { recursive: true, force: true });
  }
}
