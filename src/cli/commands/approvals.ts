/**
 * `enclave approvals list|show|approve|reject`: the approver's side, over the gateway's API, so
 * the CLI goes through the same authentication, policy, TOTP and audit as every other client.
 * The API key comes from ENCLAVE_API_KEY or --key-file, never from the command line.
 */
import { readFile } from 'node:fs/promises';
import { parseFlags, UsageError } from '../args.ts';
import type { CliCommand, CliIO } from '../io.ts';

const USAGE = `usage:
  enclave approvals list [--status pending|approved|executed|failed|rejected|expired] [--kind action|unmask] [--limit N]
  enclave approvals show ID [--wait SECONDS]
  enclave approvals approve ID [--reason TEXT] [--totp CODE | --totp -]
  enclave approvals reject ID --reason TEXT
common: [--url URL (ENCLAVE_URL, default http://127.0.0.1:8080)] [--key-file F (else ENCLAVE_API_KEY)] [--json]
  --totp - reads the code from standard input.
`;

const COMMON = { url: { type: 'string' }, 'key-file': { type: 'string' }, json: { type: 'boolean' } } as const;

interface Approval {
  id: string;
  kind: string;
  status: string;
  requester: string;
  tool: string | null;
  subject: string | null;
  arguments: unknown;
  justification: string;
  effect: string;
  approvals_required: number;
  approver_roles: string[];
  totp_required: boolean;
  approvals: Array<{ approver: string; reason: string; at: string }>;
  policy_ids: string[];
  reasons: string[];
  created_at: string;
  expires_at: string;
  rejection: { by: string; reason: string } | null;
  result: unknown;
  error: string | null;
}

interface Client {
  /** Resolves with the HTTP answer; a gateway that cannot be reached answers status 0. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
}

async function client(values: { url?: string; 'key-file'?: string }): Promise<Client> {
  const base = (values.url ?? process.env.ENCLAVE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  let key = process.env.ENCLAVE_API_KEY;
  if (values['key-file'] !== undefined) {
    try {
      key = (await readFile(values['key-file'], 'utf8')).trim();
    } catch (err) {
      throw new UsageError(`cannot read --key-file ${values['key-file']}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  if (!key) throw new UsageError('no API key: set ENCLAVE_API_KEY or pass --key-file');
  return {
    async request(method, path, body) {
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, {
          method, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
      } catch (err) {
        const cause = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message;
        return { status: 0, body: { error: { message: `cannot reach ${base}: ${cause}`, code: 'unreachable' } } };
      }
      const text = await res.text();
      let parsed: Record<string, unknown> = {};
      try { parsed = text ? JSON.parse(text) as Record<string, unknown> : {}; } catch { parsed = { error: { message: text.slice(0, 200) } }; }
      return { status: res.status, body: parsed };
    },
  };
}

/** Prints an API error (message, code, rule) and returns exit code 1. */
function printError(io: CliIO, res: { status: number; body: Record<string, unknown> }): number {
  const e = (res.body.error ?? {}) as { message?: string; code?: string; enclave?: { rule?: string; audit_ref?: string } };
  io.stderr(`error${res.status ? ` ${res.status}` : ''}${e.code ? ` ${e.code}` : ''}${e.enclave?.rule ? ` (rule ${e.enclave.rule})` : ''}: ${e.message ?? 'request failed'}\n`);
  if (e.enclave?.audit_ref) io.stderr(`audit reference: ${e.enclave.audit_ref}\n`);
  return 1;
}

function printApproval(io: CliIO, a: Approval): void {
  const line = (k: string, v: string) => io.stdout(`${`${k}:`.padEnd(15)}${v}\n`);
  line('id', a.id);
  line('kind', a.kind);
  line('status', a.status);
  line('requester', a.requester);
  line(a.kind === 'unmask' ? 'subject' : 'tool', `${a.tool ?? a.subject ?? ''} (${a.effect})`);
  line('justification', a.justification);
  line('approvals', `${a.approvals.length}/${a.approvals_required} by ${a.approver_roles.join(' or ')}${a.totp_required ? ', TOTP required' : ''}`);
  for (const v of a.approvals) io.stdout(`${''.padEnd(15)}- ${v.approver} at ${v.at}${v.reason ? `: ${v.reason}` : ''}\n`);
  line('policies', a.policy_ids.join(', '));
  for (const r of a.reasons) io.stdout(`${''.padEnd(15)}- ${r}\n`);
  line('created', a.created_at);
  line('expires', a.expires_at);
  if (a.rejection) line('rejected', `by ${a.rejection.by}: ${a.rejection.reason}`);
  if (a.error) line('error', a.error);
  if (a.result !== null && a.result !== undefined) line('result', JSON.stringify(a.result));
  io.stdout(`arguments:\n${JSON.stringify(a.arguments, null, 2)}\n`);
}

function output(io: CliIO, json: boolean | undefined, body: Record<string, unknown>): number {
  if (json) io.stdout(`${JSON.stringify(body, null, 2)}\n`);
  else printApproval(io, body as unknown as Approval);
  return 0;
}

function oneId(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`approvals ${what} takes one approval ID`);
  return encodeURIComponent(positionals[0]!);
}

async function list(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...COMMON, status: { type: 'string' }, kind: { type: 'string' }, limit: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError('approvals list takes no arguments');
  const query = new URLSearchParams();
  if (values.status) query.set('status', values.status);
  if (values.kind) query.set('kind', values.kind);
  if (values.limit) query.set('limit', values.limit);
  const res = await (await client(values)).request('GET', `/v1/approvals${query.size ? `?${query}` : ''}`);
  if (res.status !== 200) return printError(io, res);
  if (values.json) {
    io.stdout(`${JSON.stringify(res.body, null, 2)}\n`);
    return 0;
  }
  const rows = res.body.data as Approval[];
  io.stdout(`${'ID'.padEnd(36)}${'KIND'.padEnd(8)}${'STATUS'.padEnd(11)}${'REQUESTER'.padEnd(14)}${'TOOL/SUBJECT'.padEnd(20)}${'APPROVALS'.padEnd(11)}EXPIRES\n`);
  for (const a of rows) {
    io.stdout(`${a.id.padEnd(36)}${a.kind.padEnd(8)}${a.status.padEnd(11)}${a.requester.padEnd(14)}${(a.tool ?? a.subject ?? '').padEnd(20)}${`${a.approvals.length}/${a.approvals_required}`.padEnd(11)}${a.expires_at}\n`);
  }
  return 0;
}

async function show(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...COMMON, wait: { type: 'string' } });
  const id = oneId(positionals, 'show');
  if (values.wait !== undefined && !/^\d{1,4}$/.test(values.wait)) throw new UsageError('--wait: a number of seconds');
  const res = await (await client(values)).request('GET', `/v1/approvals/${id}${values.wait ? `?wait=${values.wait}` : ''}`);
  return res.status === 200 ? output(io, values.json, res.body) : printError(io, res);
}

async function readCode(io: CliIO): Promise<string> {
  let text = '';
  for await (const chunk of io.stdin) {
    text += chunk.toString();
    if (text.includes('\n')) break;
  }
  return text.trim();
}

async function approve(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...COMMON, reason: { type: 'string' }, totp: { type: 'string' } });
  const id = oneId(positionals, 'approve');
  const totp = values.totp === '-' ? await readCode(io) : values.totp;
  if (totp !== undefined && !/^[0-9]{6}$/.test(totp)) throw new UsageError('--totp: the 6-digit code from your authenticator');
  const res = await (await client(values)).request('POST', `/v1/approvals/${id}/approve`, { reason: values.reason ?? '', ...(totp ? { totp } : {}) });
  return res.status === 200 ? output(io, values.json, res.body) : printError(io, res);
}

async function reject(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...COMMON, reason: { type: 'string' } });
  const id = oneId(positionals, 'reject');
  if (!values.reason?.trim()) throw new UsageError('approvals reject needs --reason TEXT');
  const res = await (await client(values)).request('POST', `/v1/approvals/${id}/reject`, { reason: values.reason });
  return res.status === 200 ? output(io, values.json, res.body) : printError(io, res);
}

export const approvalsCommand: CliCommand = async (argv, io) => {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list': return list(rest, io);
    case 'show': return show(rest, io);
    case 'approve': return approve(rest, io);
    case 'reject': return reject(rest, io);
    default:
      io.stderr(USAGE);
      return sub === 'help' || sub === '--help' ? 0 : 2;
  }
};
