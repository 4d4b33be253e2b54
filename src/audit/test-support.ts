/** Shared fixtures for the audit part's tests: keys, temporary bundle directories, small logs. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyRing, type KeyRing } from '../crypto/index.ts';
import { checkpointKeysFromRing } from './checkpoint.ts';
import { createExportStore, type ExportStore } from './export-store.ts';
import { AuditLog, type AuditLogOptions } from './log.ts';
import type { AuditStore } from './store.ts';

export const TEST_ORIGIN = 'audit.test.invalid/enclave';

let ring: KeyRing | undefined;
/** One key ring per test process (ML-DSA key generation is the slow part). */
export function testRing(): KeyRing {
  return (ring ??= createKeyRing(new Date('2025-01-01T00:00:00Z')));
}

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(prefix = 'enclave-audit-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** An AuditLog over a file store in `dir`, no timer unless asked; `wrap` lets a test intercept the store. */
export async function openFileLog(
  dir: string,
  options: Partial<AuditLogOptions> & { wrap?: (store: AuditStore) => AuditStore } = {},
): Promise<{ log: AuditLog; store: ExportStore }> {
  const { wrap, ...rest } = options;
  const store = await createExportStore(dir, { origin: TEST_ORIGIN, hashAlgorithm: options.hashAlgorithm });
  try {
    const log = await AuditLog.open({
      store: wrap ? wrap(store) : store,
      origin: TEST_ORIGIN,
      keys: checkpointKeysFromRing(TEST_ORIGIN, testRing()),
      checkpointIntervalMs: 0,
      closeStore: () => store.close(),
      ...rest,
    });
    return { log, store };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** A plausible gateway record number `i`. */
export function sampleRecord(i: number): Record<string, unknown> {
  return {
    kind: i % 3 === 0 ? 'decision' : 'request',
    actor: `user-${i % 5}`,
    action: 'chat.completions',
    requestId: `req-${i}`,
    labels: ['SECRET//NOFORN'],
    decision: i % 4 === 0 ? 'deny' : 'allow',
    policyIds: ['permit-analysts'],
    digests: { prompt: `sha256:${'ab'.repeat(32)}` },
    time: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
  };
}
