/**
 * A tool endpoint as its operator would write one: it does nothing without a valid Enclave
 * approval receipt for exactly this tool and these arguments, and it does each approved action at
 * most once. The demo's `fire_mission` tool points here; it prints what it would do instead of
 * doing it.
 *
 *   npm run tool-server -- --keys receipt-keys.json [--port 9000] [--min-approvers 2]
 *
 * The keys are the gateway's public receipt keys: `enclave receipt keys --config F > receipt-keys.json`.
 * Receipts are checked with `verifyReceipt` from the `enclave` package, the same code an operator
 * imports; nothing here trusts the gateway's network position.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { verifyReceipt } from 'enclave';

const MAX_BODY_BYTES = 64 * 1024;

/** Reads at most `limit` bytes of the request body; undefined when it is longer. */
async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export interface ToolServerOptions {
  /** The gateway's receipt public keys (a JWK Set). */
  publicKeys: { keys: readonly Record<string, unknown>[] };
  /** Fewest distinct approvers a receipt must name (2 for a kinetic tool). */
  minApprovers: number;
  /** Called once per approved action, after its receipt verified. */
  onAction?: (action: { tool: string; arguments: unknown; approvers: readonly string[]; requester: string; id: string }) => void;
}

/**
 * The request handler: POST /<tool> with the arguments as JSON and the `Enclave-Receipt` header.
 * A receipt's `jti` (the approval id) is remembered so a replayed receipt does nothing; a real
 * tool keeps that set in durable storage.
 */
export function createToolHandler(options: ToolServerOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const done = new Set<string>();
  return async (req, res) => {
    const tool = /^\/([a-z][a-z0-9_]{0,63})$/.exec(req.url ?? '')?.[1];
    if (req.method !== 'POST' || !tool) return send(res, 404, { error: 'POST /<tool>' });
    const text = await readBody(req, MAX_BODY_BYTES);
    if (text === undefined) return send(res, 413, { error: 'body too large' });
    let args: unknown;
    try {
      args = JSON.parse(text);
    } catch {
      return send(res, 400, { error: 'the arguments must be JSON' });
    }
    const verdict = await verifyReceipt(req.headers['enclave-receipt'], {
      publicKeys: options.publicKeys as Parameters<typeof verifyReceipt>[1]['publicKeys'], tool, arguments: args, minApprovers: options.minApprovers,
    });
    if (!verdict.valid) return send(res, 403, { error: verdict.code, message: verdict.message });
    if (done.has(verdict.claims.jti)) return send(res, 409, { error: 'already_done', id: verdict.claims.jti });
    done.add(verdict.claims.jti);
    options.onAction?.({ tool, arguments: args, approvers: verdict.claims.approvers, requester: verdict.claims.sub, id: verdict.claims.jti });
    return send(res, 200, { status: 'done', id: verdict.claims.jti });
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { keys: { type: 'string' }, port: { type: 'string', default: '9000' }, 'min-approvers': { type: 'string', default: '2' } } });
  if (!values.keys) {
    process.stderr.write('usage: npm run tool-server -- --keys receipt-keys.json [--port 9000] [--min-approvers 2]\n');
    process.exit(2);
  }
  const handler = createToolHandler({
    publicKeys: JSON.parse(readFileSync(values.keys, 'utf8')) as ToolServerOptions['publicKeys'],
    minApprovers: Number(values['min-approvers']),
    onAction: (a) => process.stdout.write(`EXECUTED ${a.tool} ${JSON.stringify(a.arguments)}: requested by ${a.requester}, approved by ${a.approvers.join(' and ')} (action ${a.id})\n`),
  });
  const server = createServer((req, res) => { void handler(req, res); });
  server.listen(Number(values.port), '127.0.0.1', () => process.stdout.write(`tool server on http://127.0.0.1:${values.port}; only receipts from the keys in ${values.keys} are obeyed\n`));
}
