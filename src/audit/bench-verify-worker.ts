/** Worker body for the benchmark: verifies an export on a fresh heap and reports the time. */
import { parentPort, workerData } from 'node:worker_threads';
import { parseNoteVerifierKey } from '../crypto/index.ts';
import { verifyExportDirectory } from './verify-export.ts';

const { dir, vkeys } = workerData as { dir: string; vkeys: string[] };
const keys = vkeys.map(parseNoteVerifierKey);
const start = performance.now();
const v = await verifyExportDirectory(dir, { keys });
parentPort!.postMessage({ seconds: (performance.now() - start) / 1000, ok: v.result.ok, size: v.result.ok ? v.result.size : -1, detail: v.result.ok ? '' : v.result.message });
