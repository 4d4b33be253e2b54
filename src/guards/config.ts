/** The guards' section of a configuration file (YAML or JSON), validated at load time. */
import { parse } from 'yaml';
import { z } from 'zod';
import type { GuardOptions } from './guards.ts';
import { JudgeOptionsSchema } from './judge.ts';
import { GuardError } from './types.ts';

const Threshold = z.number().min(0).max(1);

export const GuardConfigSchema = z.object({
  thresholds: z.object({
    mass_surveillance: Threshold.optional(),
    use_of_force: Threshold.optional(),
    wmd: Threshold.optional(),
    prompt_injection: Threshold.optional(),
  }).strict().optional(),
  judge: JudgeOptionsSchema.optional(),
}).strict();

/**
 * Reads guard options from a config file's text: either a whole Enclave config with a `guards:`
 * section, or just that section. Fails at start-up, with the offending path, on anything unknown.
 */
export function parseGuardConfig(text: string): GuardOptions {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new GuardError('GUARD_CONFIG_INVALID', `config is not valid YAML or JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const section = doc && typeof doc === 'object' && 'guards' in doc ? (doc as { guards: unknown }).guards : (doc ?? {});
  const parsed = GuardConfigSchema.safeParse(section);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GuardError('GUARD_CONFIG_INVALID', `guards config: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  const options: GuardOptions = {};
  if (parsed.data.thresholds) {
    options.thresholds = Object.fromEntries(Object.entries(parsed.data.thresholds).filter(([, v]) => v !== undefined));
  }
  if (parsed.data.judge) options.judge = parsed.data.judge;
  return options;
}
