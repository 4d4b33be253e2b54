#!/usr/bin/env node
// Runs the type checker, then every *.test.ts under src/ and test/ with Node's built-in
// runner. Node 20's `--test` does not expand globs, so we list the files here. When
// ENCLAVE_TEST_POSTGRES_URL is unset and PostgreSQL is installed, a throw-away cluster is
// started for the PostgreSQL half of the store contract suite and the replica tests.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgresCluster } from './postgres-cluster.mjs';

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filter = process.argv.slice(2);
const files = ['src', 'test'].flatMap(findTests).filter((f) => filter.length === 0 || filter.some((x) => f.includes(x))).sort();
if (filter.length === 0) {
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', '.'], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}

let cluster;
if (!process.env.ENCLAVE_TEST_POSTGRES_URL) {
  cluster = await startPostgresCluster();
  if (cluster) process.env.ENCLAVE_TEST_POSTGRES_URL = cluster.url;
  else console.warn('# PostgreSQL is not installed: PostgreSQL tests will report as skipped (.ci/run installs it).');
}
const concurrency = process.env.ENCLAVE_TEST_CONCURRENCY ?? '2';
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files], { stdio: 'inherit', env: process.env });
cluster?.stop();
process.exit(res.status ?? 1);
