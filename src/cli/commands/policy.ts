/** `enclave policy test|explain|validate`: check a deployment's Cedar policies before they go live. */
import { readFile } from 'node:fs/promises';
import {
  createPolicyEngine, PolicyError, runPolicyTable, type Decision, type PolicyEngine, type PolicyRequest,
} from '../../policy/index.ts';
import { parseFlags, UsageError } from '../args.ts';
import type { CliCommand, CliIO } from '../io.ts';

const USAGE = `usage:
  enclave policy test FILE.yaml [--policy-dir D]     run a table of expected decisions; exit 1 on any failure
  enclave policy explain --principal JSON --action A --resource JSON [--context JSON] [--policy-dir D]
                                                     print the decision and the policies that made it
  enclave policy validate [--policy-dir D]           load and strictly validate every policy
`;

function parseJson(flag: string, text: string | undefined): unknown {
  if (text === undefined) throw new UsageError(`policy explain needs --${flag} JSON`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--${flag} is not valid JSON: ${(err as Error).message}`);
  }
}

function printDecision(io: CliIO, decision: Decision): void {
  io.stdout(`decision: ${decision.effect}\n`);
  io.stdout(`policies: ${decision.policyIds.join(', ')}\n`);
  for (const r of decision.reasons) io.stdout(`  - ${r}\n`);
  if (decision.obligations.length > 0) io.stdout(`obligations: ${decision.obligations.join(', ')}\n`);
  for (const e of decision.errors ?? []) io.stdout(`error: ${e}\n`);
}

/** Loads the engine; a bad policy is printed with Cedar's message and exits 1. */
async function loadEngine(io: CliIO, policyDir: string | undefined): Promise<PolicyEngine | undefined> {
  try {
    return await createPolicyEngine(policyDir === undefined ? {} : { policyDir });
  } catch (err) {
    if (err instanceof PolicyError) {
      io.stderr(`${err.message}\n`);
      return undefined;
    }
    throw err;
  }
}

async function test(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, { 'policy-dir': { type: 'string' } });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('policy test takes one FILE.yaml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    io.stderr(`cannot read ${file}: ${(err as Error).message}\n`);
    return 1;
  }
  const engine = await loadEngine(io, values['policy-dir']);
  if (!engine) return 1;
  let report;
  try {
    report = runPolicyTable(engine, text);
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    io.stderr(`${file}: ${err.message}\n`);
    return 1;
  }
  for (const r of report.results) {
    if (r.passed) continue;
    io.stdout(`FAIL ${r.name}\n`);
    for (const p of r.problems) io.stdout(`  ${p}\n`);
  }
  io.stdout(`${report.passed} passed, ${report.failed} failed (policy ${engine.policyVersion})\n`);
  return report.failed === 0 ? 0 : 1;
}

async function explain(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    principal: { type: 'string' }, action: { type: 'string' }, resource: { type: 'string' },
    context: { type: 'string' }, 'policy-dir': { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`policy explain takes no positional arguments`);
  if (values.action === undefined) throw new UsageError('policy explain needs --action A');
  const request = {
    principal: parseJson('principal', values.principal),
    action: values.action,
    resource: parseJson('resource', values.resource),
    ...(values.context !== undefined && { context: parseJson('context', values.context) }),
  };
  const engine = await loadEngine(io, values['policy-dir']);
  if (!engine) return 1;
  // decide() checks the request itself and answers a malformed one with a fail-closed deny.
  printDecision(io, engine.decide(request as PolicyRequest));
  io.stdout(`policy version: ${engine.policyVersion}\n`);
  return 0;
}

async function validate(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, { 'policy-dir': { type: 'string' } });
  if (positionals.length > 0) throw new UsageError('policy validate takes no positional arguments');
  const engine = await loadEngine(io, values['policy-dir']);
  if (!engine) return 1;
  for (const w of engine.warnings) io.stderr(`warning: ${w}\n`);
  const count = (source: string) => engine.policies.filter((p) => p.source === source).length;
  io.stdout(`ok: ${engine.policies.length} policies (product ${count('product')}, defaults ${count('defaults')}, deployment ${count('deployment')})\n`);
  io.stdout(`policy version: ${engine.policyVersion}\n`);
  return 0;
}

/** `enclave policy <test|explain|validate> ...`. */
export const policyCommand: CliCommand = async (argv, io) => {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'test': return test(rest, io);
    case 'explain': return explain(rest, io);
    case 'validate': return validate(rest, io);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stderr(USAGE);
      return sub === undefined ? 2 : 0;
    default:
      io.stderr(`enclave policy: unknown subcommand "${sub}"\n${USAGE}`);
      return 2;
  }
};
