/**
 * How long this machine's disk takes to make a small write durable, back to back and after the
 * machine has been idle for a model's answer (125 ms). Every audited request waits for one such
 * fdatasync (SQLite's synchronous=FULL commit), so this bounds what a durable audit can cost.
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile } from './load.ts';

export interface DiskProbe { idleMs: number; idleP50: number; idleP90: number; backToBackP50: number; backToBackP90: number }

/** Times 4 KiB write + fdatasync in the temp directory (where the gateway bench keeps its data). */
export async function probeFdatasync(opts: { idleMs?: number; idleSamples?: number; hotSamples?: number } = {}): Promise<DiskProbe> {
  const idleMs = opts.idleMs ?? 125;
  const dir = mkdtempSync(join(tmpdir(), 'enclave-disk-'));
  const fd = openSync(join(dir, 'probe'), 'w');
  const page = Buffer.alloc(4096, 1);
  const once = (i: number) => {
    const start = process.hrtime.bigint();
    writeSync(fd, page, 0, page.length, (i % 16) * page.length);
    fdatasyncSync(fd);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  try {
    const idle: number[] = [];
    for (let i = 0; i < (opts.idleSamples ?? 60); i++) {
      await new Promise((r) => setTimeout(r, idleMs));
      idle.push(once(i));
    }
    const hot = Array.from({ length: opts.hotSamples ?? 300 }, (_, i) => once(i));
    idle.sort((a, b) => a - b);
    hot.sort((a, b) => a - b);
    return { idleMs, idleP50: percentile(idle, 50), idleP90: percentile(idle, 90), backToBackP50: percentile(hot, 50), backToBackP90: percentile(hot, 90) };
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}
