/** `enclave receipt verify|keys`: check an approval receipt offline, and export the keys tools trust. */
import { readFile } from 'node:fs/promises';
import { receiptJwks, verifyReceipt, type ReceiptPublicKeys, type VerifyReceiptOptions } from '../../approvals/index.ts';
import { loadConfig } from '../../server/index.ts';
import { openStore } from '../../store/index.ts';
import { configPath, parseFlags, UsageError } from '../args.ts';
import type { CliCommand, CliIO } from '../io.ts';
import { approvalStoreOf } from './mfa.ts';

const USAGE = `usage:
  enclave receipt verify --key PUB.jwk (RECEIPT | -) [--tool T] [--arguments JSON | --arguments-file F]
                         [--min-approvers N] [--issuer I] [--now ISO-TIME]
      verifies a receipt (the Enclave-Receipt header) against a JWK or JWK Set; exit 0 valid, 1 invalid
  enclave receipt keys [--config F]      prints the JWK Set of the gateway's receipt keys (public)
`;

async function readStdin(io: CliIO): Promise<string> {
  let text = '';
  for await (const chunk of io.stdin) text += chunk.toString();
  return text;
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${what} ${path} is not JSON`);
  }
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError('--arguments is not valid JSON');
  }
}

async function verify(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    key: { type: 'string' }, tool: { type: 'string' }, arguments: { type: 'string' }, 'arguments-file': { type: 'string' },
    'min-approvers': { type: 'string' }, issuer: { type: 'string' }, now: { type: 'string' },
  });
  if (!values.key) throw new UsageError('receipt verify needs --key PUB.jwk');
  if (positionals.length !== 1) throw new UsageError('receipt verify takes one RECEIPT (or - for standard input)');
  if (values.arguments !== undefined && values['arguments-file'] !== undefined) throw new UsageError('give --arguments or --arguments-file, not both');
  const receipt = positionals[0] === '-' ? (await readStdin(io)).trim() : positionals[0]!;
  const options: VerifyReceiptOptions = { publicKeys: (await readJson(values.key, 'key file')) as ReceiptPublicKeys };
  if (values.tool !== undefined) options.tool = values.tool;
  if (values.arguments !== undefined) options.arguments = parseArguments(values.arguments);
  if (values['arguments-file'] !== undefined) options.arguments = await readJson(values['arguments-file'], 'arguments file');
  if (values.issuer !== undefined) options.issuer = values.issuer;
  if (values['min-approvers'] !== undefined) {
    const n = Number(values['min-approvers']);
    if (!Number.isInteger(n) || n < 0) throw new UsageError('--min-approvers: a whole number');
    options.minApprovers = n;
  }
  if (values.now !== undefined) {
    const now = new Date(values.now);
    if (Number.isNaN(now.getTime())) throw new UsageError('--now: an ISO 8601 time');
    options.now = now;
  }
  const result = await verifyReceipt(receipt, options);
  if (!result.valid) {
    io.stdout(`invalid: ${result.code}: ${result.message}\n`);
    return 1;
  }
  const checked = [options.tool !== undefined && 'tool', 'arguments' in options && 'arguments', options.minApprovers !== undefined && 'approvers'].filter(Boolean);
  io.stdout(`valid (key ${result.kid}${checked.length ? `; checked ${checked.join(', ')}` : '; tool and arguments NOT checked'})\n`);
  io.stdout(`${JSON.stringify(result.claims, null, 2)}\n`);
  return 0;
}

async function keys(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, { config: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError('receipt keys takes no arguments');
  const cfg = loadConfig(configPath(values.config));
  const store = await openStore(cfg.store);
  try {
    const jwks = await receiptJwks(approvalStoreOf(store));
    if (jwks.keys.length === 0) {
      io.stderr('no receipt key yet: the gateway creates one at its first start\n');
      return 1;
    }
    io.stdout(`${JSON.stringify(jwks, null, 2)}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

export const receiptCommand: CliCommand = async (argv, io) => {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'verify': return verify(rest, io);
    case 'keys': return keys(rest, io);
    default:
      io.stderr(USAGE);
      return sub === 'help' || sub === '--help' ? 0 : 2;
  }
};
