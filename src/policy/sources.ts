/** Where policy text comes from: the product's shipped files, a deployment's policy_dir, inline text. */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PolicyError } from './errors.ts';

/** One file (or inline text) of policies, with where it came from. */
export interface PolicySource {
  /** File name (deployment files: relative to policy_dir), or `<inline>`. */
  readonly name: string;
  /** `product`: red lines, invariants, holds; `defaults`: shipped default permits; `deployment`. */
  readonly origin: 'product' | 'defaults' | 'deployment';
  readonly text: string;
}

/** Shipped with the product and loaded whatever the configuration says. */
const PRODUCT_FILES = ['redlines.cedar', 'invariants.cedar', 'holds.cedar'] as const;

/** Shipped default permits; a deployment file of the same name replaces them. */
export const DEFAULTS_FILE = 'defaults.cedar';

function productPath(name: string): URL {
  return new URL(`./${name}`, import.meta.url);
}

async function readText(path: string | URL, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new PolicyError('POLICY_LOAD_FAILED', `cannot read ${what}: ${(err as Error).message}`, { cause: err });
  }
}

/** The `*.cedar` files of a deployment's policy_dir, sorted by name so the load order is stable. */
async function readPolicyDir(dir: string): Promise<PolicySource[]> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && e.name.endsWith('.cedar'))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    throw new PolicyError('POLICY_LOAD_FAILED', `cannot read policy_dir ${dir}: ${(err as Error).message}`, { cause: err });
  }
  return Promise.all(names.map(async (name) => ({
    name, origin: 'deployment' as const, text: await readText(join(dir, name), `policy file ${join(dir, name)}`),
  })));
}

/**
 * Collects every policy source in load order: product files, then the shipped defaults unless
 * policy_dir has its own `defaults.cedar`, then policy_dir's files, then inline text.
 */
export async function readPolicySources(options: { policyDir?: string; policies?: string }): Promise<PolicySource[]> {
  const product = await Promise.all(PRODUCT_FILES.map(async (name) => ({
    name, origin: 'product' as const, text: await readText(productPath(name), `product policy file ${name}`),
  })));
  const deployment = options.policyDir === undefined ? [] : await readPolicyDir(options.policyDir);
  const defaults: PolicySource[] = deployment.some((s) => s.name === DEFAULTS_FILE)
    ? []
    : [{ name: DEFAULTS_FILE, origin: 'defaults', text: await readText(productPath(DEFAULTS_FILE), `default policy file ${DEFAULTS_FILE}`) }];
  const inline: PolicySource[] = options.policies === undefined ? [] : [{ name: '<inline>', origin: 'deployment', text: options.policies }];
  return [...product, ...defaults, ...deployment, ...inline];
}
