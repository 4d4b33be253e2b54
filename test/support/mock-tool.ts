/**
 * A real tool server on loopback for tests: every POST /tools/<name> is a tool call. It counts
 * calls, keeps each receipt and body, and, once told which keys to trust, verifies receipts
 * the way a real tool would (refusing with 403 what does not verify). It can fail or hang.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { RECEIPT_HEADER, verifyReceipt, type ReceiptPublicKeys, type ReceiptVerification } from '../../src/approvals/index.ts';

export type ToolBehaviour = 'ok' | 'fail_500' | 'hang';

export interface ToolCallRecord {
  tool: string;
  receipt: string | undefined;
  /** The body as received (the arguments, as JSON text) and parsed. */
  rawBody: string;
  body: unknown;
  idempotencyKey: string | undefined;
  /** Set when the tool trusts keys: what verifying the receipt against this call said. */
  verification?: ReceiptVerification;
}

export interface MockTool {
  readonly url: string;
  /** The endpoint to register for tool `name`. */
  endpoint(name: string): string;
  /** Calls received (accepted or refused), in order. */
  readonly received: ToolCallRecord[];
  calls(tool?: string): number;
  /** Verify receipts against these keys from now on, refusing invalid ones with 403; `now` is the tool's clock. */
  trust(keys: ReceiptPublicKeys, options?: { minApprovers?: Record<string, number>; now?: () => Date }): void;
  setBehaviour(queue: ToolBehaviour[], fallback?: ToolBehaviour): void;
  close(): Promise<void>;
}

/** Starts the tool server on 127.0.0.1 with a free port. */
export async function startMockTool(): Promise<MockTool> {
  const received: ToolCallRecord[] = [];
  const sockets = new Set<Socket>();
  let queue: ToolBehaviour[] = [];
  let fallback: ToolBehaviour = 'ok';
  let trusted: { keys: ReceiptPublicKeys; minApprovers: Record<string, number>; now: () => Date } | undefined;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const m = /^\/tools\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '');
        if (req.method !== 'POST' || !m) {
          res.writeHead(404).end();
          return;
        }
        const tool = m[1]!;
        const rawBody = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try { body = JSON.parse(rawBody); } catch { body = undefined; }
        const receipt = req.headers[RECEIPT_HEADER.toLowerCase()];
        const call: ToolCallRecord = {
          tool, rawBody, body, receipt: typeof receipt === 'string' ? receipt : undefined,
          idempotencyKey: typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined,
        };
        received.push(call);
        if (trusted) {
          const min = trusted.minApprovers[tool];
          call.verification = await verifyReceipt(call.receipt, {
            publicKeys: trusted.keys, tool, arguments: body, now: trusted.now(), ...(min !== undefined ? { minApprovers: min } : {}),
          });
          if (!call.verification.valid) {
            res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ error: call.verification.code }));
            return;
          }
        }
        const behaviour = queue.shift() ?? fallback;
        if (behaviour === 'hang') return;
        if (behaviour === 'fail_500') {
          res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, tool, call: received.length }));
      })();
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    endpoint: (name) => `${url}/tools/${name}`,
    received,
    calls: (tool) => (tool === undefined ? received.length : received.filter((c) => c.tool === tool).length),
    trust(keys, options = {}) { trusted = { keys, minApprovers: options.minApprovers ?? {}, now: options.now ?? (() => new Date()) }; },
    setBehaviour(q, fb = 'ok') { queue = [...q]; fallback = fb; },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
