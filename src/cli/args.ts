/** Argument parsing shared by the subcommands, over node:util parseArgs. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses flags strictly; an unknown flag is a usage error, not a silent default. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The configuration file: --config, else ENCLAVE_CONFIG, else ./enclave.yaml. */
export function configPath(flag: string | undefined): string {
  return flag ?? process.env.ENCLAVE_CONFIG ?? './enclave.yaml';
}
