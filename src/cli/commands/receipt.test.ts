/** `enclave receipt verify|keys` in-process: a tool's operator checks a receipt offline. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argumentsDigest, createSecretSealer, loadReceiptSigner, type ReceiptSigner } from '../../approvals/index.ts';
import { randomBytes } from '../../crypto/index.ts';
import { createSqliteApprovalStore } from '../../store/approvals-sqlite.ts';
import { openSqliteStore } from '../../store/index.ts';
import { bufferIO } from '../io.ts';
import { receiptCommand } from './receipt.ts';

describe('enclave receipt', () => {
  let dir: string;
  let config: string;
  let signer: ReceiptSigner;
  let receipt: string;
  const args = { target: 'AB1234', rounds: 2 };
  const now = new Date();
  const run = async (argv: string[], input = '') => {
    const io = bufferIO(input);
    const code = await receiptCommand(argv, io);
    return { code, out: io.out(), err: io.err() };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-cli-receipt-'));
    config = join(dir, 'enclave.yaml');
    writeFileSync(config, `data_dir: ${dir}\nmodels:\n  - { id: q, backend: extractive }\n`);
    const store = openSqliteStore(join(dir, 'enclave.db'));
    signer = await loadReceiptSigner(createSqliteApprovalStore(store.db), createSecretSealer(randomBytes(32)));
    await store.close();
    writeFileSync(join(dir, 'pub.jwk'), JSON.stringify(signer.jwks().keys[0]));
    const iat = Math.floor(now.getTime() / 1000);
    receipt = await signer.sign({
      iss: 'enclave', jti: 'apr_1', kind: 'action', sub: 'alice', tool: 'strike', args_sha256: argumentsDigest(args),
      approvers: ['carol', 'dave'], policy_ids: ['hold.kinetic_tool'], iat, exp: iat + 120,
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies a receipt for a tool and its arguments, printing its claims', async () => {
    const r = await run(['verify', '--key', join(dir, 'pub.jwk'), receipt, '--tool', 'strike', '--arguments', '{"rounds":2,"target":"AB1234"}', '--min-approvers', '2']);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^valid \(key [A-Za-z0-9_-]+; checked tool, arguments, approvers\)/);
    assert.deepEqual(JSON.parse(r.out.slice(r.out.indexOf('\n') + 1)).approvers, ['carol', 'dave']);
    const stdin = await run(['verify', '--key', join(dir, 'pub.jwk'), '-'], `${receipt}\n`);
    assert.equal(stdin.code, 0);
    assert.match(stdin.out, /tool and arguments NOT checked/);
  });

  it('exits 1 for tampered arguments, another tool, or an expired receipt', async () => {
    const tampered = await run(['verify', '--key', join(dir, 'pub.jwk'), receipt, '--tool', 'strike', '--arguments', '{"rounds":3,"target":"AB1234"}']);
    assert.equal(tampered.code, 1);
    assert.match(tampered.out, /^invalid: ARGUMENTS_MISMATCH/);
    assert.match((await run(['verify', '--key', join(dir, 'pub.jwk'), receipt, '--tool', 'lookup'])).out, /TOOL_MISMATCH/);
    const later = new Date(now.getTime() + 3600_000).toISOString();
    assert.match((await run(['verify', '--key', join(dir, 'pub.jwk'), receipt, '--now', later])).out, /EXPIRED/);
  });

  it('prints the stored receipt keys for a deployment', async () => {
    const r = await run(['keys', '--config', config]);
    assert.equal(r.code, 0, r.err);
    const jwks = JSON.parse(r.out) as { keys: Array<{ kid: string; d?: string }> };
    assert.equal(jwks.keys[0]?.kid, signer.kid);
    assert.equal(jwks.keys[0]?.d, undefined, 'never the private key');
  });

  it('refuses bad usage', async () => {
    await assert.rejects(run(['verify', receipt]), { name: 'UsageError' });
    await assert.rejects(run(['verify', '--key', join(dir, 'missing.jwk'), receipt]), { name: 'UsageError' });
    await assert.rejects(run(['verify', '--key', join(dir, 'pub.jwk'), receipt, '--arguments', '{']), { name: 'UsageError' });
    assert.equal((await run(['sign'])).code, 2);
  });
});
