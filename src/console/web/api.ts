/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Calls to the console API: JSON in and out, the session's CSRF token on every state-changing
 * request, server-sent events read from a POST's body, and one clear message when the gateway
 * cannot be reached.
 */

export interface SessionInfo {
  user: { id: string; name: string; roles: string[]; clearance: string; nationality: string };
  banner: string;
  csrf_token: string;
}

/** An answer from the gateway that is an error, with its message. */
export class ApiError extends Error {
  /** `reauth`: where to sign in again to make this succeed (only a console sign-in path is kept). */
  readonly reauth: string | null;
  constructor(readonly status: number, message: string, readonly code: string, readonly rule: string | null, reauth?: unknown) {
    super(message);
    this.reauth = typeof reauth === 'string' && /^\/console\/auth\/login\?[\w=&%/.-]*$/.test(reauth) ? reauth : null;
  }
}

/** The gateway did not answer (network error, 502, 503, 504). */
export class UnavailableError extends Error {}

let csrfToken = '';

function statusLine(): HTMLElement | null {
  return document.getElementById('status-line');
}

/** Shows (or clears) the page-wide notice that the gateway is unavailable. */
export function noteAvailability(err: unknown): void {
  const line = statusLine();
  if (!line) return;
  if (err instanceof UnavailableError) {
    line.textContent = `The gateway is unavailable: ${err.message} What you see may be out of date; the page will keep trying.`;
    line.className = 'unavailable';
    line.setAttribute('role', 'alert');
  } else if (err === undefined && line.className === 'unavailable') {
    line.textContent = 'The gateway is reachable again.';
    line.className = '';
    line.setAttribute('role', 'status');
  }
}

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json', ...(init.headers as Record<string, string> | undefined) };
  if (method !== 'GET') {
    headers['x-csrf-token'] = csrfToken;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(path, { ...init, method, headers, credentials: 'same-origin', cache: 'no-store' });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    const e = new UnavailableError('it did not answer (network error).');
    noteAvailability(e);
    throw e;
  }
  if (res.status === 502 || res.status === 503 || res.status === 504) {
    const body = await res.json().catch(() => undefined) as { error?: { message?: string; code?: string } } | undefined;
    // A 503 that names a feature (e.g. approvals not configured) is an answer, not an outage.
    if (!(res.status === 503 && body?.error?.code && body.error.code !== 'unavailable')) {
      const e = new UnavailableError(`it answered HTTP ${res.status}.`);
      noteAvailability(e);
      throw e;
    }
    noteAvailability(undefined);
    throw new ApiError(res.status, body.error.message ?? 'Unavailable.', body.error.code, null);
  }
  noteAvailability(undefined);
  if (res.status === 401) {
    location.assign(`/console/auth/login?return_to=${encodeURIComponent(location.pathname)}`);
    throw new ApiError(401, 'Your session has ended. Signing in again…', 'session_required', null);
  }
  if (!res.ok) {
    const body = await res.json().catch(() => ({})) as { error?: { message?: string; code?: string; rule?: string; reauth?: unknown; enclave?: { rule?: string } } };
    throw new ApiError(res.status, body.error?.message ?? `HTTP ${res.status}`, body.error?.code ?? 'error', body.error?.rule ?? body.error?.enclave?.rule ?? null, body.error?.reauth);
  }
  return res;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await call(path, signal ? { signal } : {})).json() as Promise<T>;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return (await call(path, { method: 'POST', body: JSON.stringify(body) })).json() as Promise<T>;
}

/** POSTs `body` and yields the server-sent events of the answer as they arrive. */
export async function* postEvents(path: string, body: unknown, signal?: AbortSignal): AsyncGenerator<{ event: string; data: unknown }> {
  const res = await call(path, { method: 'POST', body: JSON.stringify(body), ...(signal ? { signal } : {}), headers: { accept: 'text/event-stream' } });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (data) yield { event, data: JSON.parse(data) as unknown };
    }
  }
}

/** Loads the session (and its CSRF token); every page starts here. */
export async function loadSession(): Promise<SessionInfo> {
  const s = await getJson<SessionInfo>('/console/api/session');
  csrfToken = s.csrf_token;
  return s;
}

/** Shows an error where the user is looking: an outage, a refusal with its rule, or anything else. */
export function describeError(err: unknown): string {
  if (err instanceof UnavailableError) return `The gateway is unavailable: ${err.message} Try again shortly.`;
  if (err instanceof ApiError) return err.rule ? `${err.message} (rule ${err.rule})` : err.message;
  return 'Something went wrong in the page. Reload it.';
}
