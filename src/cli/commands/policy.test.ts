/** `enclave policy test|explain|validate`, run in-process. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../args.ts';
import { bufferIO } from '../io.ts';
import { policyCommand } from './policy.ts';

const EXAMPLES = new URL('../../../examples/policy/', import.meta.url).pathname;
const ALICE = JSON.stringify({ id: 'alice', clearance: { level: 3, compartments: [] }, nationality: 'USA', roles: ['analyst'] });
const MODEL = JSON.stringify({ type: 'Model', id: 'm', accreditation: { level: 3, compartments: [] } });

describe('enclave policy', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'enclave-policy-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('test', () => {
    it('passes the shipped example table and prints the summary', async () => {
      const io = bufferIO();
      const code = await policyCommand(['test', join(EXAMPLES, 'decisions.yaml'), '--policy-dir', EXAMPLES], io);
      assert.equal(code, 0, io.out() + io.err());
      assert.match(io.out(), /^\d+ passed, 0 failed \(policy sha256:[0-9a-f]{64}\)\n$/);
    });

    it('prints each failure and exits 1', async () => {
      // Without the example deployment's permits, its allow and hold rows fail.
      const io = bufferIO();
      const code = await policyCommand(['test', join(EXAMPLES, 'decisions.yaml')], io);
      assert.equal(code, 1);
      assert.match(io.out(), /^FAIL a commander gets use-of-force decision support, marked as such\n {2}expected allow, got deny \[default\.deny\]/m);
      assert.match(io.out(), /\d+ passed, [1-9]\d* failed/);
    });

    it('exits 1 with Cedar\'s message when a deployment policy is invalid', async () => {
      await writeFile(join(dir, 'bad.cedar'), 'permit(principal, action, resource) when { principal.rank == 1 };');
      const table = join(dir, 'table.yaml');
      await writeFile(table, '[]');
      const io = bufferIO();
      assert.equal(await policyCommand(['test', table, '--policy-dir', dir], io), 1);
      assert.match(io.err(), /bad\.cedar:1:\d+: .*attribute `rank` on entity type `User` not found/);
      await rm(join(dir, 'bad.cedar'));
    });

    it('exits 1 when the table is not a table, and 2 without a file', async () => {
      const table = join(dir, 'scalar.yaml');
      await writeFile(table, 'hello');
      const io = bufferIO();
      assert.equal(await policyCommand(['test', table], io), 1);
      assert.match(io.err(), /decision table/);
      await assert.rejects(policyCommand(['test'], bufferIO()), UsageError);
    });
  });

  describe('explain', () => {
    it('prints the decision, the policy ids and their reasons', async () => {
      const io = bufferIO();
      const context = JSON.stringify({ signals: [{ category: 'wmd', score: 0.92 }] });
      const code = await policyCommand(['explain', '--principal', ALICE, '--action', 'chat', '--resource', MODEL, '--context', context], io);
      assert.equal(code, 0);
      assert.match(io.out(), /^decision: deny\npolicies: redline\.wmd\n {2}- uplift toward chemical/);
      assert.match(io.out(), /policy version: sha256:/);
    });

    it('explains a hold with its obligations, using a policy_dir', async () => {
      const operator = JSON.stringify({ id: 'olga', clearance: { level: 2, compartments: [] }, nationality: 'USA', roles: ['operator'] });
      const tool = JSON.stringify({ type: 'Tool', id: 'strike', effect: 'kinetic', approvalsRequired: 2, approverRoles: ['approver'] });
      const io = bufferIO();
      await policyCommand(['explain', '--principal', operator, '--action', 'call_tool', '--resource', tool, '--policy-dir', EXAMPLES], io);
      assert.match(io.out(), /^decision: hold\npolicies: hold\.kinetic_tool, hold\.tool_approvals\n/);
      assert.match(io.out(), /obligations: .*two_person_approval/);
    });

    it('shows a malformed request as a fail-closed deny with the errors', async () => {
      const io = bufferIO();
      await policyCommand(['explain', '--principal', '{"id":"x"}', '--action', 'chat', '--resource', MODEL], io);
      assert.match(io.out(), /^decision: deny\npolicies: policy\.invalid_request\n/);
      assert.match(io.out(), /error: principal\.clearance/);
    });

    it('is a usage error without --action or with bad JSON', async () => {
      await assert.rejects(policyCommand(['explain', '--principal', ALICE, '--resource', MODEL], bufferIO()), UsageError);
      await assert.rejects(policyCommand(['explain', '--principal', '{', '--action', 'chat', '--resource', MODEL], bufferIO()), /not valid JSON/);
    });
  });

  describe('validate', () => {
    it('counts the loaded policies by origin', async () => {
      const io = bufferIO();
      assert.equal(await policyCommand(['validate', '--policy-dir', EXAMPLES], io), 0);
      assert.match(io.out(), /^ok: \d+ policies \(product \d+, defaults \d+, deployment 6\)\npolicy version: sha256:/);
    });
  });

  it('prints usage for no or an unknown subcommand', async () => {
    const io = bufferIO();
    assert.equal(await policyCommand([], io), 2);
    assert.match(io.err(), /enclave policy test FILE\.yaml/);
    assert.equal(await policyCommand(['frobnicate'], bufferIO()), 2);
  });
});
