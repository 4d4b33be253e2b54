/** Guard options from a config file: a guards: section or the bare section; unknown keys fail. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGuardConfig } from './config.ts';

describe('parseGuardConfig', () => {
  it('reads a guards: section of a YAML config', () => {
    const o = parseGuardConfig('server:\n  port: 8443\nguards:\n  thresholds:\n    wmd: 0.4\n  judge:\n    baseUrl: http://127.0.0.1:8000/v1\n    model: llama-guard-3\n    borderline: [0.3, 0.7]\n');
    assert.deepEqual(o.thresholds, { wmd: 0.4 });
    assert.deepEqual(o.judge, { baseUrl: 'http://127.0.0.1:8000/v1', model: 'llama-guard-3', borderline: [0.3, 0.7] });
  });
  it('reads the bare section as JSON', () => {
    assert.deepEqual(parseGuardConfig('{"thresholds":{"use_of_force":0.6}}').thresholds, { use_of_force: 0.6 });
    assert.deepEqual(parseGuardConfig(''), {});
  });
  it('fails with GUARD_CONFIG_INVALID naming the path', () => {
    assert.throws(() => parseGuardConfig('guards:\n  thresholds:\n    wmd: 2\n'), { code: 'GUARD_CONFIG_INVALID', message: /thresholds\.wmd/ });
    assert.throws(() => parseGuardConfig('guards:\n  judeg: {}\n'), { code: 'GUARD_CONFIG_INVALID' });
    assert.throws(() => parseGuardConfig('guards: [\n'), { code: 'GUARD_CONFIG_INVALID' });
  });
});
