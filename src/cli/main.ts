/** The `enclave` command: dispatches to subcommands and turns errors into exit codes. */
import { UsageError } from './args.ts';
import { approvalsCommand } from './commands/approvals.ts';
import { createAuditCommand } from './commands/audit.ts';
import { auditCommandDeps } from './commands/audit-deps.ts';
import { corpusCommand } from './commands/corpus.ts';
import { guardCommand } from './commands/guard.ts';
import { keysCommand } from './commands/keys.ts';
import { markingsCommand } from './commands/markings.ts';
import { mfaCommand } from './commands/mfa.ts';
import { policyCommand } from './commands/policy.ts';
import { receiptCommand } from './commands/receipt.ts';
import { serveCommand } from './commands/serve.ts';
import { processIO, type CliCommand, type CliIO } from './io.ts';

const COMMANDS: Record<string, { run: CliCommand; help: string }> = {
  serve: { run: serveCommand, help: 'run the gateway (--config F, --port N, --data DIR)' },
  keys: { run: keysCommand, help: 'create, list and revoke API keys' },
  approvals: { run: approvalsCommand, help: 'list, show, approve and reject held actions' },
  mfa: { run: mfaCommand, help: 'enrol approvers for TOTP (prints the otpauth URI once)' },
  receipt: { run: receiptCommand, help: 'verify a signed approval receipt; print the receipt keys' },
  policy: { run: policyCommand, help: 'test, explain and validate Cedar policies' },
  audit: { run: createAuditCommand(auditCommandDeps), help: 'verify, prove, search, export the audit log; its public keys; decrypt retained content' },
  guard: { run: guardCommand, help: 'classify text against the red lines; evaluate on a labelled set' },
  corpus: { run: corpusCommand, help: 'ingest, list and remove corpus documents' },
  markings: { run: markingsCommand, help: 'roll up (banner), check access and parse classification markings' },
};

function usage(io: CliIO): void {
  io.stderr('usage: enclave <command> [options]\n\ncommands:\n');
  for (const [name, c] of Object.entries(COMMANDS)) io.stderr(`  ${name.padEnd(10)} ${c.help}\n`);
}

/** Runs the CLI; resolves with the exit code. Errors with a `code` are expected failures. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    usage(io);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`enclave: unknown command "${name}"\n`);
    usage(io);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`enclave ${name}: ${err.message}\n`);
      return 2;
    }
    const e = err as Error & { code?: unknown };
    if (typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code)) {
      io.stderr(`enclave ${name}: ${e.message}\n`);
      return 1;
    }
    io.stderr(`enclave ${name}: unexpected error: ${e.stack ?? String(err)}\n`);
    return 1;
  }
}
