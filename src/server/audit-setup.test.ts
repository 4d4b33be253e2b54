/** openGatewayAudit: key ring at first start, reopening, wrong secrets and origins, configuration. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditError } from '../audit/index.ts';
import { formatNoteVerifierKey } from '../crypto/index.ts';
import { openSqliteStore } from '../store/index.ts';
import { auditConfigSchema, openGatewayAudit, type AuditDeploymentConfig } from './audit-setup.ts';
import { ServerError } from './errors.ts';
import { parseConfig } from './config.ts';

const FAST = { N: 2 ** 10, r: 8, p: 1 };
const env = { ENCLAVE_KEY_SECRET: 'first secret' };

describe('openGatewayAudit', () => {
  let dir: string;
  let store: ReturnType<typeof openSqliteStore>;
  let config: AuditDeploymentConfig;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-audit-setup-'));
    store = openSqliteStore(join(dir, 'enclave.db'));
    config = { data_dir: dir, audit: { origin: 'setup.test.invalid/enclave', hash: 'sha384', checkpoint_interval_ms: 0 } };
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates a ring at first start, then reopens it and resumes the log', async () => {
    const warnings: string[] = [];
    const first = await openGatewayAudit(config, store, { env, scryptParams: FAST, warn: (m) => warnings.push(m) });
    const keys = first.log.verifierKeys().map(formatNoteVerifierKey);
    const { ref } = await first.recorder.record({ kind: 'startup', actor: null, requestId: null, data: { url: 'http://127.0.0.1:1' } });
    assert.equal(ref, 'audit:0');
    assert.equal(first.log.hashAlgorithm, 'sha384');
    await first.close();
    assert.deepEqual(warnings, [], 'the secret came from the environment');
    const again = await openGatewayAudit(config, store, { env });
    assert.deepEqual(again.log.verifierKeys().map(formatNoteVerifierKey), keys);
    assert.equal(again.log.size, 1);
    assert.equal((await again.recorder.record({ kind: 'request', actor: 'alice', requestId: 'r1', data: {} })).ref, 'audit:1');
    const v = await again.log.verify({ strict: true });
    await again.close();
    assert.ok(v.ok && v.size === 2, JSON.stringify(v));
  });

  it('refuses to start with a secret the ring was not sealed with', async () => {
    await assert.rejects(openGatewayAudit(config, store, { env: { ENCLAVE_KEY_SECRET: 'wrong' } }), (e: unknown) => e instanceof ServerError && e.code === 'START_FAILED');
  });

  it('refuses a different origin than the stored checkpoints were signed for', async () => {
    const moved = { ...config, audit: { ...config.audit, origin: 'elsewhere.invalid/enclave' } };
    await assert.rejects(openGatewayAudit(moved, store, { env }), (e: unknown) => e instanceof AuditError && e.code === 'CONFIG_MISMATCH');
  });

  it('refuses to create keys when asked not to', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'enclave-audit-nokeys-'));
    const other = openSqliteStore(join(empty, 'enclave.db'));
    try {
      await assert.rejects(openGatewayAudit({ data_dir: empty }, other, { env, createKeys: false }), /no audit key ring/);
    } finally {
      await other.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('audit configuration', () => {
  it('defaults every field and validates the section', () => {
    const c = parseConfig('models:\n  - { id: q, backend: extractive }\n', 'test.yaml', {});
    assert.deepEqual(c.audit, { hash: 'sha256', checkpoint_interval_ms: 1000, max_batch_size: 256 });
    assert.equal(auditConfigSchema.safeParse({ origin: 'a+b' }).success, false);
    assert.equal(auditConfigSchema.safeParse({ hash: 'md5' }).success, false);
    assert.equal(auditConfigSchema.safeParse({ checkpoint_interval_ms: -1 }).success, false);
    assert.throws(() => parseConfig('audit: { hash: sha1 }\nmodels:\n  - { id: q, backend: extractive }\n', 'test.yaml', {}), /test\.yaml:1: audit\.hash/);
  });
});
