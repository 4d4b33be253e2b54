/** What a CLI command may touch: its arguments and three streams, so tests run commands in-process. */

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Standard input, for commands that read JSON lines. */
  stdin: AsyncIterable<string | Buffer>;
}

/** A subcommand: gets the arguments after its own name, returns the process exit code. */
export type CliCommand = (argv: string[], io: CliIO) => Promise<number>;

/** The real process streams. */
export function processIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdin: process.stdin,
  };
}

/** Collects output in memory; for tests. */
export function bufferIO(input = ''): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => { out += t; },
    stderr: (t) => { err += t; },
    stdin: (async function* () { if (input) yield input; })(),
    out: () => out,
    err: () => err,
  };
}
