/** Start-up validation: a bad deployment policy stops the process with Cedar's own message. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPolicyEngine, PolicyError, POLICY_SCHEMA } from './index.ts';
import { ALICE, chat } from './testing.ts';

async function rejection(policies: string): Promise<PolicyError> {
  try {
    await createPolicyEngine({ policies });
  } catch (err) {
    assert.ok(err instanceof PolicyError, String(err));
    return err;
  }
  assert.fail('expected the engine to refuse these policies');
}

describe('policy validation at start-up', () => {
  describe('when a policy names something the schema does not have', () => {
    it('rejects an unknown attribute in strict mode with Cedar\'s message and location', async () => {
      const err = await rejection('permit(principal, action, resource)\nwhen { principal.rank == "colonel" };');
      assert.equal(err.code, 'POLICY_INVALID');
      // Cedar 4.x: "attribute `rank` on entity type `User` not found"
      assert.match(err.message, /<inline>:2:8: policy <inline>#1: attribute `rank` on entity type `User` not found/);
    });

    it('rejects an unknown entity type', async () => {
      const err = await rejection('@id("deploy.drones") permit(principal, action, resource is Drone);');
      assert.match(err.message, /policy deploy\.drones: .*Drone/);
    });

    it('rejects an unknown action', async () => {
      const err = await rejection('permit(principal, action == Action::"launch", resource);');
      assert.match(err.message, /launch/);
    });

    it('rejects an optional attribute read without a has check', async () => {
      const err = await rejection('permit(principal, action, resource) when { principal.mfa_age_seconds < 60 };');
      assert.match(err.message, /optional attribute `mfa_age_seconds`/);
    });

    it('rejects a type error', async () => {
      const err = await rejection('permit(principal, action, resource) when { principal.clearance_level == "SECRET" };');
      assert.equal(err.code, 'POLICY_INVALID');
    });
  });

  it('names a policy without @id by its place in the file, also past ten policies', async () => {
    const lines = Array.from({ length: 12 }, (_, i) => `permit(principal, action, resource) when { principal.${i === 10 ? 'rank' : 'roles'}.isEmpty() };`);
    const err = await rejection(lines.join('\n'));
    assert.match(err.message, /^<inline>:11:\d+: policy <inline>#11: attribute `rank` on entity type `User` not found/m);
  });

  it('slices by action only because the schema declares no action groups', async () => {
    const cedar = await import('@cedar-policy/cedar-wasm/nodejs');
    const answer = cedar.schemaToJson(POLICY_SCHEMA);
    assert.equal(answer.type, 'success');
    const actions = answer.type === 'success' ? Object.values(answer.json['']?.actions ?? {}) : [];
    assert.equal(actions.length, 6);
    assert.ok(actions.every((a) => (a.memberOf ?? []).length === 0));
  });

  it('rejects a parse error, located by line and column', async () => {
    const err = await rejection('// first line\npermit(principal, action, resource) when { true ;');
    assert.match(err.message, /<inline>:2:\d+: .*unexpected token/);
  });

  it('reports every problem at once, one per line', async () => {
    const err = await rejection('permit(principal, action, resource) when { principal.a };\npermit(principal, action, resource) when { principal.b };');
    assert.equal(err.message.split('\n').filter((l) => l.startsWith('<inline>')).length, 2);
  });

  it('refuses product ids, duplicate ids, templates and a misused @effect', async () => {
    assert.match((await rejection('@id("redline.wmd") permit(principal, action, resource);')).message, /reserved for the product/);
    assert.match((await rejection('@id("x") permit(principal, action, resource);\n@id("x") permit(principal, action, resource);')).message, /duplicate id/);
    assert.match((await rejection('permit(principal == ?principal, action, resource);')).message, /templates are not supported/);
    assert.match((await rejection('@effect("hold") permit(principal, action, resource);')).message, /only on a forbid/);
    assert.match((await rejection('@effect("maybe") forbid(principal, action, resource);')).message, /@effect/);
  });

  it('exports the schema the policies are validated against', () => {
    assert.match(POLICY_SCHEMA, /entity User = \{/);
    assert.match(POLICY_SCHEMA, /action call_tool appliesTo/);
  });

  describe('with a policy_dir', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'enclave-policy-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('names the file in the error', async () => {
      await writeFile(join(dir, 'bad.cedar'), 'permit(principal, action, resource) when { context.nope };');
      await assert.rejects(createPolicyEngine({ policyDir: dir }), (err: PolicyError) => {
        assert.equal(err.code, 'POLICY_INVALID');
        assert.match(err.message, /^bad\.cedar:1:\d+: /m);
        return true;
      });
      await rm(join(dir, 'bad.cedar'));
    });

    it('replaces the shipped defaults with its own defaults.cedar, never the red lines', async () => {
      await writeFile(join(dir, 'defaults.cedar'), '// no default permits in this deployment\n');
      await writeFile(join(dir, 'extra.txt'), 'not a policy file, ignored');
      const engine = await createPolicyEngine({ policyDir: dir });
      assert.ok(!engine.policies.some((p) => p.source === 'defaults'));
      assert.ok(engine.policies.some((p) => p.id === 'redline.wmd'));
      assert.deepEqual(engine.decide(chat()).policyIds, ['default.deny']);
      assert.equal(engine.decide({ ...chat(), principal: ALICE }).effect, 'deny');
    });

    it('fails with POLICY_LOAD_FAILED when the directory does not exist', async () => {
      await assert.rejects(createPolicyEngine({ policyDir: join(dir, 'missing') }), { code: 'POLICY_LOAD_FAILED' });
    });
  });
});
