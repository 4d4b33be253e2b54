import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './api.ts';

describe('ApiError.reauth', () => {
  it('keeps a console sign-in path, so the page can offer a fresh sign-in', () => {
    assert.equal(new ApiError(403, 'm', 'mfa_required', 'invariant.admin_mfa', '/console/auth/login?fresh=1&return_to=/console/corpus').reauth,
      '/console/auth/login?fresh=1&return_to=/console/corpus');
  });

  it('drops anything else: another origin, a script URL, another path, a non-string', () => {
    for (const hostile of ['https://evil.example/console/auth/login?x=1', '//evil.example/console/auth/login?', 'javascript:alert(1)',
      '/console/auth/logout?x=1', '/console/auth/login?x="><script>', 42, undefined]) {
      assert.equal(new ApiError(403, 'm', 'c', null, hostile).reauth, null, String(hostile));
    }
  });
});
