/** Worker thread body: signs checkpoints with the current key bundle (ML-DSA-87 is the slow half). */
import { parentPort, workerData } from 'node:worker_threads';
import { parseKeyRing } from '../crypto/index.ts';
import { checkpointSigners, signCheckpoint } from './checkpoint.ts';

interface Init {
  readonly origin: string;
  readonly ring: string;
}

const init = workerData as Init;
const signers = checkpointSigners(init.origin, parseKeyRing(init.ring).current);

parentPort!.on('message', (msg: { id: number; size: number; rootHash: Uint8Array }) => {
  try {
    parentPort!.postMessage({ id: msg.id, note: signCheckpoint({ origin: init.origin, size: msg.size, rootHash: msg.rootHash }, signers) });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});
parentPort!.postMessage({ ready: true });
