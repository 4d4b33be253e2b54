/**
 * Starts a worker thread on a TypeScript module. Sources run through tsx, and a worker does not
 * inherit a loader registered with tsx's API (as bin/enclave.js does), so the worker registers
 * it before importing the module. A module that fails to load posts `{ fatal }`.
 */
import { Worker } from 'node:worker_threads';

export function startTsWorker(moduleUrl: URL, workerData: unknown): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `const { parentPort } = require('node:worker_threads');
import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(moduleUrl.href)}); })
  .catch((err) => parentPort.postMessage({ fatal: String((err && err.stack) || err) }));`;
  return new Worker(code, { eval: true, workerData });
}
