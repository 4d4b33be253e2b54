/**
 * WAL checkpoints on a thread of their own. By default SQLite checkpoints inside whichever commit
 * pushes the WAL past 1000 pages: then the audit writer's batch, and every request waiting for
 * it, waits for the copy into the database file and that file's fsync; a commit on the event loop
 * (sessions, content at rest) would block the gateway outright. A long-running gateway therefore
 * turns automatic checkpoints off on its connections and runs PASSIVE checkpoints here, which
 * never wait for readers or writers (https://sqlite.org/c3ref/wal_checkpoint_v2.html).
 */
import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** SQLite's default `wal_autocheckpoint`, restored if the checkpoint thread cannot run. */
export const SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

// Plain CommonJS, so the thread starts without the TypeScript loader.
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
db.pragma('wal_autocheckpoint = 0');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); }
  catch (err) { parentPort.postMessage({ error: String((err && err.message) || err) }); }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export interface WalCheckpointer {
  /** Stops the thread; automatic checkpoints are switched back on for `db`. */
  close(): Promise<void>;
}

/**
 * Starts the checkpoint thread for a file database and switches automatic checkpoints off on
 * `db` (the audit writer's connection copies the setting; see audit-sqlite.ts). A thread that
 * dies is started again a second later, so the WAL cannot grow without bound.
 */
export function startWalCheckpointer(db: Database.Database, options: { intervalMs?: number; onError?: (message: string) => void } = {}): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const workerData = { driver, path: db.name, intervalMs: options.intervalMs ?? 250 };
  let closing = false;
  let worker: Worker | undefined;
  let restart: NodeJS.Timeout | undefined;

  const start = () => {
    const w = new Worker(WORKER_CODE, { eval: true, workerData });
    w.unref();
    w.on('message', (m: { error?: string }) => { if (m.error) options.onError?.(`WAL checkpoint failed: ${m.error}`); });
    w.on('error', (err) => options.onError?.(`WAL checkpoint thread failed: ${err.message}`));
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      if (closing) return;
      options.onError?.('WAL checkpoint thread stopped; starting it again');
      restart = setTimeout(start, 1000);
      restart.unref();
    });
    worker = w;
  };
  db.pragma('wal_autocheckpoint = 0');
  start();
  return {
    async close() {
      if (closing) return;
      closing = true;
      clearTimeout(restart);
      const w = worker;
      if (w) {
        const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
        // Held until it has closed its connection: an unref'd thread would not keep us waiting.
        w.ref();
        w.postMessage('stop');
        await exited;
      }
      if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES}`);
    },
  };
}
