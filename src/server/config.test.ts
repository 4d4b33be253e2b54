/** Configuration: defaults, overrides, environment secrets, and errors that name the field and the line. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { parseConfig, ServerError } from './index.ts';

const MINIMAL = 'models:\n  - id: quotes\n    backend: extractive\n';

function configError(text: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseConfig(text, 'enclave.yaml', env);
  } catch (err) {
    assert.ok(err instanceof ServerError && err.code === 'CONFIG_INVALID');
    return err.message;
  }
  assert.fail('expected a configuration error');
}

describe('parseConfig', () => {
  it('fills the documented defaults', () => {
    const c = parseConfig(MINIMAL, 'enclave.yaml', {});
    assert.equal(c.server.host, '127.0.0.1');
    assert.equal(c.server.port, 8080);
    assert.equal(c.server.body_limit, 1_048_576);
    assert.equal(c.data_dir, './data');
    assert.equal(c.store, `sqlite:${resolve('./data/enclave.db')}`);
    assert.equal(c.models[0]!.accredited, 'UNCLASSIFIED');
    assert.deepEqual(c.users, []);
  });

  it('accepts the contract example of the issue', () => {
    const c = parseConfig(`
server: { host: 127.0.0.1, port: 8080 }
data_dir: ./data
store: sqlite:./data/enclave.db
models:
  - id: analyst
    backend: openai
    base_url: http://127.0.0.1:8000/v1
    upstream_model: qwen2.5-7b-instruct
    api_key_env: VLLM_API_KEY
    accredited: SECRET//REL TO USA, FVEY
    retrieval: true
users:
  - id: alice
    name: Alice Analyst
    clearance: TOP SECRET//SI/TK
    nationality: USA
    roles: [analyst]
`, 'enclave.yaml', {});
    assert.equal(c.models[0]!.accredited, 'SECRET//REL TO USA, FVEY');
    assert.equal(c.users[0]!.clearance, 'TOP SECRET//SI/TK');
  });

  it('lets --port and --data override the file, and recomputes the default store', () => {
    const c = parseConfig(`server: { port: 9000 }\n${MINIMAL}`, 'enclave.yaml', {}, { port: 0, dataDir: '/var/lib/enclave' });
    assert.equal(c.server.port, 0);
    assert.equal(c.store, 'sqlite:/var/lib/enclave/enclave.db');
  });

  it('replaces ${NAME} with the environment and names a missing variable with its line', () => {
    const c = parseConfig(`store: "postgres://enclave:\${PGPASS}@127.0.0.1/enclave"\n${MINIMAL}`, 'enclave.yaml', { PGPASS: 's3cret' });
    assert.equal(c.store, 'postgres://enclave:s3cret@127.0.0.1/enclave');
    assert.match(configError(`data_dir: ./data\nstore: "\${NOPE}"\n${MINIMAL}`), /enclave\.yaml:2: environment variable NOPE is not set/);
  });

  it('names the field and the line of a wrong value', () => {
    const message = configError('server:\n  port: 99999\nmodels:\n  - id: a\n    backend: gpt\n');
    assert.match(message, /enclave\.yaml:2: server\.port: /);
    assert.match(message, /enclave\.yaml:5: models\.0\.backend: /);
  });

  it('rejects unknown fields, duplicate ids, bad nationalities and missing backend settings', () => {
    assert.match(configError(`${MINIMAL}colour: blue\n`), /colour/);
    assert.match(configError('models:\n  - { id: a, backend: extractive }\n  - { id: a, backend: extractive }\n'), /:3: models\.1\.id: duplicate id "a"/);
    assert.match(configError(`${MINIMAL}users:\n  - { id: x, name: X, clearance: SECRET, nationality: uk }\n`), /users\.0\.nationality: nationality: a three-letter/);
    assert.match(configError('models:\n  - { id: a, backend: openai }\n'), /models\.0\.base_url: an openai backend needs base_url/);
    assert.match(configError('models:\n  - { id: a, backend: llamacpp }\n'), /models\.0\.model_path/);
    assert.match(configError('models: []\n'), /configure at least one model/);
  });

  it('reports YAML syntax errors with their line', () => {
    assert.match(configError('models:\n  - id: [unclosed\n'), /enclave\.yaml:\d+: /);
    assert.match(configError('a: 1\na: 2\n'), /enclave\.yaml:2: /);
  });

  it('parses body_limit sizes', () => {
    assert.equal(parseConfig(`server: { body_limit: 2mb }\n${MINIMAL}`, 'x', {}).server.body_limit, 2_000_000);
    assert.equal(parseConfig(`server: { body_limit: 64kib }\n${MINIMAL}`, 'x', {}).server.body_limit, 65_536);
  });

  it('ties the demo identity provider to an oidc issuer on its loopback port', () => {
    const c = parseConfig(`${MINIMAL}demo: { identity_provider: { port: 8081 } }\noidc: { issuer: 'http://127.0.0.1:8081', client_id: enclave-console }\n`, 'enclave.yaml', {});
    assert.equal(c.demo.identity_provider?.port, 8081);
    assert.match(configError(`${MINIMAL}demo: { identity_provider: { port: 8081 } }\n`), /oidc: the demo identity provider needs an oidc section/);
    assert.match(configError(`${MINIMAL}demo: { identity_provider: { port: 8081 } }\noidc: { issuer: 'http://127.0.0.1:9000', client_id: c }\n`), /oidc\.issuer: must be http:\/\/127\.0\.0\.1:8081/);
    assert.match(configError(`${MINIMAL}demo: { identity_provider: { port: 8080 } }\noidc: { issuer: 'http://127.0.0.1:8080', client_id: c }\n`), /demo\.identity_provider\.port: must differ from server\.port/);
  });
});
