/** benchGuards reports every figure the bench runner prints (timings are not asserted). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { benchGuards } from './bench.ts';

describe('benchGuards', () => {
  it('measures load time and p50/p99 for 20-, 100- and 500-word inputs', async () => {
    const r = await benchGuards(50);
    for (const words of [20, 100, 500]) {
      for (const q of ['p50', 'p99']) {
        const v = r[`guards.classify.${words}w.${q}_us`];
        assert.ok(typeof v === 'number' && v > 0, `${words}w ${q}`);
      }
    }
    assert.ok((r['guards.load_ms'] ?? 0) > 0);
  });
});
