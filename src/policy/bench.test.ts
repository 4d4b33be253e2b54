/** The benchmark's setup is real: 100 valid deployment policies and a workload that reaches every effect. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BENCH_DEPLOYMENT_POLICIES, benchPolicy } from './bench.ts';

describe('benchPolicy', () => {
  it('loads the generated deployment policies and exercises allow, deny and hold', async () => {
    const r = await benchPolicy({ iterations: 210 });
    assert.ok((r.policies ?? 0) > BENCH_DEPLOYMENT_POLICIES);
    assert.equal(r.decisions, 210);
    for (const effect of ['allow', 'deny', 'hold']) assert.ok((r[effect] ?? 0) > 0, effect);
    assert.ok((r.decide_p50_us ?? Infinity) <= (r.decide_p99_us ?? 0));
  });
});
