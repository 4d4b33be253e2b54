/** The `tools:` and `approvals:` sections, and argument checking against a tool's JSON Schema. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { approvalsConfigSchema, checkArguments, createToolRegistry, defaultApprovalsConfig, toolConfigSchema } from './index.ts';

const STRIKE = {
  name: 'strike', effect: 'kinetic', endpoint: 'http://127.0.0.1:9/strike', approvals_required: 2, approver_roles: ['commander'],
  arguments: { type: 'object', properties: { grid: { type: 'string', pattern: '^[A-Z]{2}[0-9]{4}$' } }, required: ['grid'], additionalProperties: false },
};

function issues(value: unknown): string[] {
  const r = toolConfigSchema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('toolConfigSchema', () => {
  it('accepts a tool and fills its defaults', () => {
    const [t] = toolConfigSchema.parse([STRIKE]);
    assert.equal(t?.timeout_ms, 10_000);
    assert.equal(t?.max_response_bytes, 65_536);
    assert.deepEqual(toolConfigSchema.parse(undefined), []);
  });

  it('refuses what would break two-person integrity or cannot be approved', () => {
    assert.match(issues([{ ...STRIKE, approvals_required: 1 }]).join(), /0\.approvals_required: a kinetic tool needs at least 2 approvals/);
    assert.match(issues([{ ...STRIKE, totp_required: false }]).join(), /0\.totp_required/);
    assert.match(issues([{ ...STRIKE, effect: 'write', approver_roles: [] }]).join(), /0\.approver_roles: name the roles/);
  });

  it('refuses bad endpoints, bad names, duplicates, unknown fields and unusable schemas', () => {
    assert.match(issues([{ ...STRIKE, endpoint: 'file:///etc/passwd' }]).join(), /0\.endpoint/);
    assert.match(issues([{ ...STRIKE, name: 'fire mission' }]).join(), /0\.name/);
    assert.match(issues([STRIKE, STRIKE]).join(), /1\.name: duplicate tool name "strike"/);
    assert.match(issues([{ ...STRIKE, colour: 'red' }]).join(), /Unrecognized key/);
    assert.match(issues([{ ...STRIKE, arguments: { type: 'array' } }]).join(), /0\.arguments\.type/);
    assert.match(issues([{ ...STRIKE, arguments: { type: 'object', properties: { a: { $ref: 'http://example.invalid/x' } } } }]).join(), /0\.arguments: not a usable JSON Schema/);
  });
});

describe('tool registry', () => {
  const tools = createToolRegistry(toolConfigSchema.parse([STRIKE, { name: 'lookup', effect: 'read', endpoint: 'https://tools.invalid/lookup' }]));

  it('requires TOTP for kinetic tools and names every tool', () => {
    assert.equal(tools.get('strike')?.totpRequired, true);
    assert.equal(tools.get('lookup')?.totpRequired, false);
    assert.deepEqual(tools.list().map((t) => t.name), ['strike', 'lookup']);
    assert.equal(tools.get('nope'), undefined);
  });

  it('checks arguments against the schema, naming the offending field', () => {
    const strike = tools.get('strike')!;
    assert.deepEqual(checkArguments(strike, { grid: 'AB1234' }), { ok: true });
    const bad = checkArguments(strike, { grid: 'nowhere' });
    assert.ok(!bad.ok && bad.param === 'arguments.grid');
    assert.ok(!checkArguments(strike, { grid: 'AB1234', extra: 1 }).ok);
    assert.ok(!checkArguments(strike, [1, 2]).ok);
    assert.ok(!checkArguments(strike, null).ok);
  });

  it('refuses unchecked entries', () => {
    assert.throws(() => createToolRegistry([{ ...STRIKE, approvals_required: 0 } as never]), { code: 'CONFIG_INVALID' });
  });
});

describe('approvalsConfigSchema', () => {
  it('has defaults for everything and refuses unknown fields', () => {
    const d = defaultApprovalsConfig();
    assert.equal(d.ttl_seconds, 3600);
    assert.deepEqual(d.default_approver_roles, ['approver']);
    assert.equal(approvalsConfigSchema.parse({ ttl_seconds: 60 }).max_wait_seconds, 60);
    assert.equal(approvalsConfigSchema.safeParse({ ttl: 60 }).success, false);
    assert.equal(approvalsConfigSchema.safeParse({ totp_window_steps: 5 }).success, false);
  });
});
