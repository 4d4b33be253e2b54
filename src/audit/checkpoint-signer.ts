/**
 * Checkpoint signing on a worker thread. An ML-DSA-87 signature costs about 20 ms in JS; signed
 * on the event loop once a second, it stalls every request in flight for that long, which is
 * what a gateway's p99 latency then shows. The worker holds the ring's current signing keys.
 */
import type { Worker } from 'node:worker_threads';
import { serializeKeyRing, type KeyRing } from '../crypto/index.ts';
import { AuditError } from './errors.ts';
import { startTsWorker } from './ts-worker.ts';

/** Signs checkpoint bodies off the caller's thread; what AuditLogOptions.signer expects. */
export interface CheckpointSigner {
  sign(cp: { readonly size: number; readonly rootHash: Uint8Array }): Promise<string>;
  close(): Promise<void>;
}

interface Reply {
  readonly id?: number;
  readonly note?: string;
  readonly error?: string;
  readonly fatal?: string;
}

const WORKER_MODULE = new URL('./checkpoint-sign-worker.ts', import.meta.url);

/**
 * Starts the signing thread for `origin` with the ring's current bundle. Notes come back in the
 * same signed-note format as signCheckpoint's; a thread that dies fails every pending signature.
 */
export function startCheckpointSigner(origin: string, ring: KeyRing): CheckpointSigner {
  const worker: Worker = startTsWorker(WORKER_MODULE, { origin, ring: serializeKeyRing(ring) });
  worker.unref();
  const waiting = new Map<number, { resolve(note: string): void; reject(err: unknown): void }>();
  let next = 0;
  let failure: AuditError | undefined;
  const fail = (message: string) => {
    failure ??= new AuditError('SIGNING_FAILED', `checkpoint signing thread failed: ${message}`);
    for (const w of waiting.values()) w.reject(failure);
    waiting.clear();
  };
  worker.on('message', (m: Reply) => {
    if (m.fatal) return fail(m.fatal);
    if (m.id === undefined) return;
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (waiting.size === 0) worker.unref();
    if (m.note !== undefined) w?.resolve(m.note);
    else w?.reject(new AuditError('SIGNING_FAILED', `checkpoint signing failed: ${m.error ?? 'no note'}`));
  });
  worker.on('error', (err) => fail(err.message));
  worker.on('exit', (code) => fail(`exited with ${code}`));
  return {
    sign({ size, rootHash }) {
      if (failure) return Promise.reject(failure);
      const id = next++;
      worker.ref();
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, size, rootHash: new Uint8Array(rootHash) });
      });
    },
    async close() {
      failure ??= new AuditError('CLOSED', 'checkpoint signer is closed');
      await worker.terminate();
    },
  };
}
