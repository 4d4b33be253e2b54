/** Worker thread body: verifies batches of checkpoint notes (the ML-DSA-87 half is the slow part). */
import { parentPort, workerData } from 'node:worker_threads';
import { parseNoteVerifierKey, type HashAlgorithm } from '../crypto/index.ts';
import { verifyCheckpoint } from './checkpoint.ts';

interface Init {
  readonly vkeys: readonly string[];
  readonly origin?: string;
  readonly hashAlgorithm: HashAlgorithm;
}

const init = workerData as Init;
const keys = init.vkeys.map(parseNoteVerifierKey);

parentPort!.on('message', (msg: { id: number; notes: readonly string[] }) => {
  const results = msg.notes.map((note) => {
    const v = verifyCheckpoint(note, { keys, origin: init.origin, hashAlgorithm: init.hashAlgorithm });
    return v.ok ? { ok: true as const } : { ok: false as const, code: v.code, message: v.message };
  });
  parentPort!.postMessage({ id: msg.id, results });
});
parentPort!.postMessage({ ready: true });
