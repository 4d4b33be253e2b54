/**
 * Audit entries: a record (who, what, labels, decision, policy ids, digests, content reference)
 * plus its place in the log (seq, prev), serialised as RFC 8785 (JCS) canonical JSON. The log
 * commits to exactly those bytes; the verifier reads `seq` and `prev` back to name the place of
 * a deletion, reordering, insertion or edit.
 */
import canonicalizeModule from 'canonicalize';
import { z } from 'zod';
import { toBase64 } from '../crypto/index.ts';
import { AuditError } from './errors.ts';

// canonicalize is CommonJS; its typings describe an ES default export, so normalise both shapes.
const canonicalize: (value: unknown) => string | undefined =
  typeof canonicalizeModule === 'function' ? canonicalizeModule : (canonicalizeModule as unknown as { default: (value: unknown) => string | undefined }).default;

export const AUDIT_ENTRY_VERSION = 1;
/** Largest canonical entry accepted, in bytes; the verifier also refuses longer lines. */
export const AUDIT_ENTRY_MAX_BYTES = 64 * 1024;

export const AUDIT_KINDS = [
  'startup',
  'request',
  'decision',
  'guard',
  'approval',
  'unmask',
  'spillage',
  'decrypt',
  'key',
  'policy',
  'config',
  'export',
  'retention',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

const id = z.string().min(1).max(256);
const digest = z.string().regex(/^(?:sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96})$/, 'digest must be sha256:<64 hex> or sha384:<96 hex>');

/** What a caller appends. `time` defaults to the moment of `append`. */
export const auditRecordSchema = z.strictObject({
  kind: z.enum(AUDIT_KINDS),
  /** Who: a principal id, or `system:<component>` for the gateway's own actions. */
  actor: id,
  /** What: e.g. `chat.completions`, `policy.reload`, `unmask.approve`. */
  action: z.string().min(1).max(256).optional(),
  requestId: z.string().min(1).max(128).optional(),
  time: z.iso.datetime().optional(),
  /** Markings involved (banner form), e.g. the answer's label. */
  labels: z.array(z.string().min(1).max(512)).max(64).optional(),
  decision: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/).optional(),
  policyIds: z.array(id).max(64).optional(),
  reason: z.string().max(4096).optional(),
  /** Digests of prompt, answer and the like (never the text): name -> `sha256:<hex>`. */
  digests: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/), digest).optional(),
  /** Reference to the sealed content, when retention is on. */
  contentRef: z.string().min(1).max(512).optional(),
  details: z.record(z.string().min(1).max(128), z.json()).optional(),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;

/** A sequenced entry as stored and hashed. `prev` is the base64 leaf hash of entry seq - 1. */
export const auditEntrySchema = auditRecordSchema.extend({
  v: z.literal(AUDIT_ENTRY_VERSION),
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  time: z.iso.datetime(),
  prev: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/).max(128).optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** A validated record with its JCS members pre-serialised, so sequencing only splices in seq and prev. */
export interface PreparedEntry {
  readonly record: AuditRecord & { time: string };
  /** `"key":value` members in JCS order, without `seq` and `prev`. */
  readonly members: readonly (readonly [key: string, member: string])[];
  readonly bytes: number;
}

function member(key: string, value: unknown): readonly [string, string] {
  const text = canonicalize(value);
  if (text === undefined) throw new AuditError('INVALID_RECORD', `field ${key} is not JSON`);
  return [key, `${JSON.stringify(key)}:${text}`];
}

const MAX_DEPTH = 32;

/**
 * Rejects what validation would silently change: a `__proto__` member (parsers turn it into a
 * prototype, dropping the data) and nesting deep enough to exhaust the stack.
 */
function checkShape(value: unknown, depth = 0): void {
  if (depth > MAX_DEPTH) throw new AuditError('INVALID_RECORD', `audit record is nested deeper than ${MAX_DEPTH}`);
  if (Array.isArray(value)) for (const v of value) checkShape(v, depth + 1);
  else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (key === '__proto__') throw new AuditError('INVALID_RECORD', 'audit record has a "__proto__" member');
      checkShape((value as Record<string, unknown>)[key], depth + 1);
    }
  }
}

/** Validates a record and serialises its members; throws AuditError('INVALID_RECORD' | 'ENTRY_TOO_LARGE'). */
export function prepareEntry(input: unknown, now: Date = new Date()): PreparedEntry {
  checkShape(input);
  const parsed = auditRecordSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AuditError('INVALID_RECORD', `audit record: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
  }
  // Times are normalised to millisecond ISO form so that stores can compare them as text.
  const record = { ...parsed.data, time: (parsed.data.time ? new Date(parsed.data.time) : now).toISOString() };
  const members: (readonly [string, string])[] = [member('v', AUDIT_ENTRY_VERSION)];
  for (const [key, value] of Object.entries(record)) if (value !== undefined) members.push(member(key, value));
  // JCS (RFC 8785 3.2.3) orders members by the UTF-16 code units of their names: JS's default sort.
  members.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const bytes = members.reduce((n, [, m]) => n + Buffer.byteLength(m) + 1, 2);
  if (bytes + 128 > AUDIT_ENTRY_MAX_BYTES) throw new AuditError('ENTRY_TOO_LARGE', `audit entry of ${bytes} bytes exceeds ${AUDIT_ENTRY_MAX_BYTES}`);
  return { record, members, bytes };
}

/** The canonical entry text at `seq`, chained to the previous entry's leaf hash (null for seq 0). */
export function finishEntry(prepared: PreparedEntry, seq: number, prevLeafHash: Uint8Array | null): string {
  const extra: (readonly [string, string])[] = [['seq', `"seq":${seq}`]];
  if (prevLeafHash) extra.push(['prev', `"prev":"${toBase64(prevLeafHash)}"`]);
  const all = [...prepared.members, ...extra].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return `{${all.map(([, m]) => m).join(',')}}`;
}

/** Parses and validates stored entry text; throws AuditError('INVALID_RECORD'). */
export function parseEntry(data: string): AuditEntry {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch (err) {
    throw new AuditError('INVALID_RECORD', 'audit entry is not JSON', { cause: err });
  }
  const parsed = auditEntrySchema.safeParse(raw);
  if (!parsed.success) throw new AuditError('INVALID_RECORD', `audit entry: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** True if `data` is exactly the JCS serialisation of the value it parses to. */
export function isCanonicalEntry(data: string): boolean {
  try {
    return canonicalize(JSON.parse(data)) === data;
  } catch {
    return false;
  }
}

/** JCS text of any JSON value (RFC 8785). */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new AuditError('INVALID_RECORD', 'value is not JSON');
  return text;
}
