/**
 * Checkpoint signatures verified on worker threads while the main thread hashes entries: an
 * ML-DSA-87 verification costs about 3 ms in JS, so a log with a checkpoint a second would
 * otherwise spend as long on signatures as on its million entries. Falls back to null (the
 * caller verifies inline) when workers cannot start.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from './ts-worker.ts';
import { formatNoteVerifierKey, type HashAlgorithm, type NoteVerifierKey } from '../crypto/index.ts';
import type { CheckpointFailureCode } from './checkpoint.ts';

export type SignatureResult = { readonly ok: true } | { readonly ok: false; readonly code: CheckpointFailureCode; readonly message: string };

interface Reply {
  readonly id?: number;
  readonly results?: SignatureResult[];
  readonly ready?: boolean;
  readonly fatal?: string;
}

const WORKER_MODULE = new URL('./checkpoint-worker.ts', import.meta.url);

export class CheckpointSignaturePool {
  private readonly waiting = new Map<number, { resolve: (r: SignatureResult[]) => void; reject: (e: unknown) => void }>();
  private nextId = 0;
  private turn = 0;
  private failure: Error | undefined;

  private constructor(private readonly workers: Worker[]) {
    for (const w of workers) {
      w.on('message', (m: Reply) => {
        if (m.fatal) this.fail(new Error(`checkpoint worker failed to start: ${m.fatal}`));
        if (m.id === undefined || !m.results) return;
        this.waiting.get(m.id)?.resolve(m.results);
        this.waiting.delete(m.id);
      });
      w.on('error', (err) => this.fail(err));
      w.unref();
    }
  }

  /** Starts `threads` workers (default: cores - 1, between 1 and 4); null if they cannot start. */
  static create(options: { keys: readonly NoteVerifierKey[]; origin?: string; hashAlgorithm: HashAlgorithm; threads?: number }): CheckpointSignaturePool | null {
    const threads = options.threads ?? Math.max(1, Math.min(4, availableParallelism() - 1));
    try {
      const workerData = { vkeys: options.keys.map(formatNoteVerifierKey), origin: options.origin, hashAlgorithm: options.hashAlgorithm };
      return new CheckpointSignaturePool(Array.from({ length: threads }, () => startTsWorker(WORKER_MODULE, workerData)));
    } catch {
      return null;
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }

  /** Verifies a batch of notes on the next worker; results in note order. */
  verify(notes: readonly string[]): Promise<SignatureResult[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const worker = this.workers[this.turn++ % this.workers.length]!;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, notes });
    }).finally(() => {
      if (this.waiting.size === 0) for (const w of this.workers) w.unref();
    }) as Promise<SignatureResult[]>;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
