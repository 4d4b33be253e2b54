/** Decision tables: the shipped example passes, and failures say what differed. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createPolicyEngine, PolicyError, runPolicyTable, type PolicyEngine } from './index.ts';

const EXAMPLES = new URL('../../examples/policy/', import.meta.url);

const ROW = `
- name: analyst chats
  principal: { id: alice, clearance: { level: 3, compartments: [] }, nationality: USA, roles: [analyst] }
  action: chat
  resource: { type: Model, id: m, accreditation: { level: 3, compartments: [] } }
  expected: EXPECTED
`;

describe('runPolicyTable', () => {
  let shipped: PolicyEngine;
  before(async () => {
    shipped = await createPolicyEngine();
  });

  it('passes every row of the shipped example table against the example policies', async () => {
    const engine = await createPolicyEngine({ policyDir: EXAMPLES.pathname });
    const report = runPolicyTable(engine, await readFile(new URL('decisions.yaml', EXAMPLES), 'utf8'));
    assert.deepEqual(report.results.filter((r) => !r.passed).map((r) => [r.name, r.problems]), []);
    assert.ok(report.passed >= 30);
    // Every red line has a row.
    const ids = report.results.flatMap((r) => r.decision?.policyIds ?? []);
    for (const id of ['redline.mass_surveillance', 'redline.wmd', 'redline.prompt_injection', 'redline.use_of_force']) assert.ok(ids.includes(id), id);
    assert.ok(report.results.some((r) => r.decision?.effect === 'hold'));
  });

  it('reports a wrong effect, a missing policy id and different obligations', () => {
    const table = `${ROW.replace('EXPECTED', 'deny')}  policy: redline.wmd\n  obligations: [decision_support]\n`;
    const [result] = runPolicyTable(shipped, table).results;
    assert.equal(result?.passed, false);
    assert.deepEqual(result?.problems, [
      'expected deny, got allow [default.analyst_chat]',
      'expected policy redline.wmd among the deciding policies, got allow [default.analyst_chat]',
      'expected obligations [decision_support], got []',
    ]);
  });

  it('accepts a plain list or a mapping with decisions, and counts', () => {
    assert.deepEqual(runPolicyTable(shipped, ROW.replace('EXPECTED', 'allow')).passed, 1);
    const mapping = `fixtures: {}\ndecisions:\n${ROW.replace('EXPECTED', 'allow').replace(/^/gm, '  ')}`;
    const report = runPolicyTable(shipped, mapping);
    assert.deepEqual([report.passed, report.failed], [1, 0]);
  });

  it('fails a malformed row or an invalid request instead of passing it as a deny', () => {
    const report = runPolicyTable(shipped, `
- name: no expectation
  action: chat
- name: bad request
  principal: { id: alice }
  action: chat
  resource: { type: Model, id: m }
  expected: deny
`);
    assert.deepEqual(report.results.map((r) => r.passed), [false, false]);
    assert.match(report.results[0]?.problems[0] ?? '', /^malformed row: principal: .*expected: /);
    assert.match(report.results[1]?.problems[0] ?? '', /^invalid request: principal\.clearance/);
  });

  it('throws POLICY_TABLE_INVALID for text that is not a table', () => {
    assert.throws(() => runPolicyTable(shipped, 'a: [unclosed'), (e: PolicyError) => e.code === 'POLICY_TABLE_INVALID');
    assert.throws(() => runPolicyTable(shipped, 'just a string'), (e: PolicyError) => e.code === 'POLICY_TABLE_INVALID');
  });
});
