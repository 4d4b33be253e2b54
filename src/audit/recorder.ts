/**
 * Adapter from the gateway's generic event shape ({ kind, actor, requestId, data }) to audit
 * records: the fields an auditor searches on become entry fields, the rest go to `details`.
 */
import { AUDIT_KINDS, type AuditKind, type AuditRecord } from './entry.ts';
import { AuditError } from './errors.ts';
import type { AuditLog } from './log.ts';

export interface AuditEvent {
  readonly kind: string;
  readonly actor: string | null;
  readonly requestId: string | null;
  readonly data: Record<string, unknown>;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Maps an event to a record; throws AuditError('INVALID_RECORD') for an unknown kind. */
export function recordFromEvent(event: AuditEvent): AuditRecord {
  if (!(AUDIT_KINDS as readonly string[]).includes(event.kind)) throw new AuditError('INVALID_RECORD', `unknown audit kind ${JSON.stringify(event.kind)}`);
  const details: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const record: { -readonly [K in keyof AuditRecord]: AuditRecord[K] } = { kind: event.kind as AuditKind, actor: event.actor ?? 'anonymous' };
  if (event.requestId) record.requestId = event.requestId;
  const digests: Record<string, string> = {};
  for (const [key, value] of Object.entries(event.data)) {
    if (value === undefined) continue;
    if (key === 'decision' && typeof value === 'string') record.decision = value;
    else if (key === 'rule' && typeof value === 'string') record.policyIds = [value];
    else if (key === 'label' && typeof value === 'string') record.labels = [value];
    else if (key === 'action' && typeof value === 'string') record.action = value;
    else if (key === 'reason' && typeof value === 'string') record.reason = value;
    else if (key === 'contentRef' && typeof value === 'string') record.contentRef = value;
    else if (key.endsWith('_sha256') && typeof value === 'string' && HEX64.test(value)) digests[key.slice(0, -'_sha256'.length)] = `sha256:${value}`;
    else details[key] = value;
  }
  if (Object.keys(digests).length > 0) record.digests = digests;
  if (Object.keys(details).length > 0) record.details = JSON.parse(JSON.stringify(details)) as AuditRecord['details'];
  return record;
}

/** A recorder for the gateway: `record` resolves with `audit:<index>` once the entry is durable. */
export function createAuditRecorder(log: AuditLog): { record(event: AuditEvent): Promise<{ ref: string }> } {
  return {
    async record(event) {
      const receipt = await log.append(recordFromEvent(event));
      return { ref: `audit:${receipt.index}` };
    },
  };
}
