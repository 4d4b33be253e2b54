/**
 * A small keep-alive HTTP client for OpenAI-compatible upstreams. node:http directly rather
 * than fetch: it is measurably cheaper per request, and we need separate connect, first-byte
 * and idle timeouts, which fetch does not expose.
 */
import http from 'node:http';
import https from 'node:https';
import { InferenceError } from './errors.ts';

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 10_000 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 10_000 }),
};

export interface PostOptions {
  headers: Record<string, string>;
  signal: AbortSignal;
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
}

/** An upstream's answer: status and the live body stream. */
export interface UpstreamResponse {
  status: number;
  body: http.IncomingMessage;
}

/**
 * POSTs JSON and resolves when the response headers arrive. Connection failures and timeouts
 * reject with InferenceError; HTTP error statuses resolve (the caller decides what to retry).
 */
export function postJson(url: URL, payload: string, opts: PostOptions): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    if (opts.signal.aborted) return reject(new InferenceError('ABORTED', 'request aborted'));
    const mod = url.protocol === 'https:' ? https : http;
    const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
    let settled = false;
    const fail = (err: InferenceError) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(firstByteTimer);
      req.destroy();
      reject(err);
    };
    const req = mod.request(url, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), accept: 'application/json, text/event-stream', ...opts.headers },
    });
    const connectTimer = setTimeout(() => fail(new InferenceError('UPSTREAM_TIMEOUT', `connect to ${url.host} timed out`)), opts.connectTimeoutMs);
    const firstByteTimer = setTimeout(() => fail(new InferenceError('UPSTREAM_TIMEOUT', `${url.host} sent no response in time`)), opts.firstByteTimeoutMs);
    const onAbort = () => fail(new InferenceError('ABORTED', 'request aborted'));
    opts.signal.addEventListener('abort', onAbort, { once: true });
    req.on('socket', (socket) => {
      // A reused keep-alive socket is already connected and will not emit 'connect'.
      if (!socket.connecting) clearTimeout(connectTimer);
      else socket.once('connect', () => clearTimeout(connectTimer));
    });
    req.on('error', (err) => fail(new InferenceError('UPSTREAM_ERROR', `cannot reach ${url.host}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, { cause: err })));
    req.on('response', (res) => {
      if (settled) { res.destroy(); return; }
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(firstByteTimer);
      res.once('close', () => opts.signal.removeEventListener('abort', onAbort));
      opts.signal.addEventListener('abort', () => res.destroy(new InferenceError('ABORTED', 'request aborted')), { once: true });
      resolve({ status: res.statusCode ?? 0, body: res });
    });
    req.end(payload);
  });
}

/** Reads a whole body, refusing more than `limit` bytes (a hostile upstream could send gigabytes). */
export async function readBody(res: http.IncomingMessage, limit = 16 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      res.destroy();
      throw new InferenceError('UPSTREAM_ERROR', 'upstream response too large');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
