/**
 * `enclave audit decrypt --index N --reason TEXT [--as USER]`: opens the sealed content an audit
 * entry points at, for an auditor. Reading content is itself audited: a durable `decrypt` entry
 * (who, which entry and record, why) is appended before anything is opened or printed, and a
 * record that does not open, or does not match its entry's digests, is refused and recorded.
 */
import { checkContentDigests, openContent, parseContentRef, parseEntry, type AuditLog, type RetainedContent } from '../../audit/index.ts';
import type { EncryptionKeyPair } from '../../crypto/index.ts';
import type { ContentStore } from '../../store/index.ts';
import { UsageError } from '../args.ts';
import type { CliIO } from '../io.ts';

/** What `decrypt` needs of a deployment: its log, its sealed records and the ring's key pairs. */
export interface ContentAccess {
  readonly log: AuditLog;
  readonly content: Pick<ContentStore, 'get'>;
  /** Every encryption key pair of the ring, current and retired. */
  readonly keys: readonly EncryptionKeyPair[];
  /** Signs a final checkpoint (covering the decrypt entries) and closes the store. */
  close(): Promise<void>;
}

export interface DecryptRequest {
  readonly index: number;
  readonly reason: string | undefined;
  /** Recorded as the actor. */
  readonly actor: string;
}

/** A written reason, short enough for an entry; shorter ones say nothing an auditor could review. */
export const DECRYPT_MIN_REASON = 10;
const ACTOR = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

/** Checks the flags that need no deployment; throws UsageError. */
export function checkDecryptRequest(request: DecryptRequest): { index: number; reason: string; actor: string } {
  const reason = request.reason?.trim() ?? '';
  if (reason.length < DECRYPT_MIN_REASON) throw new UsageError(`decrypt needs --reason: a written reason of at least ${DECRYPT_MIN_REASON} characters (it is recorded in the audit log)`);
  if (reason.length > 4000) throw new UsageError('--reason is longer than 4000 characters');
  if (!ACTOR.test(request.actor)) throw new UsageError('--as needs a user id: letters, digits, . _ : @ - (max 128)');
  return { index: request.index, reason, actor: request.actor };
}

function refuse(io: CliIO, message: string): number {
  io.stderr(`refused: ${message}\n`);
  return 1;
}

/** Runs one decrypt against an opened deployment; resolves with the exit code. */
export async function runDecrypt(access: ContentAccess, request: DecryptRequest, io: CliIO): Promise<number> {
  const { index, reason, actor } = checkDecryptRequest(request);
  const { log } = access;
  // prove() reads the entry and checks it against a signed checkpoint: an entry edited in the store is refused.
  const entry = parseEntry((await log.prove(index)).entry);
  if (!entry.contentRef) return refuse(io, `entry ${index} has no contentRef: retention was off, or the request was refused before its content was kept`);
  const id = parseContentRef(entry.contentRef);
  if (!id) return refuse(io, `entry ${index} names ${JSON.stringify(entry.contentRef)}, not a content:<id> record`);
  const record = await access.content.get(id);
  if (!record) return refuse(io, `record ${id} of entry ${index} is not in the store: purged after the retention period, or deleted`);
  // The digests are what tie a record to its entry (sealing needs only the public key): no digest, nothing to check against.
  if (!entry.digests?.prompt) return refuse(io, `entry ${index} (${entry.kind}) carries no prompt digest to check the record against; decrypt the request entry itself`);

  const base = { index, content_ref: entry.contentRef, request_id: entry.requestId ?? null, entry_actor: entry.actor };
  await log.append({ kind: 'decrypt', actor, action: 'content.decrypt', reason, contentRef: entry.contentRef, labels: [record.label], details: base });
  const failed = async (code: string, message: string) => {
    await log.append({ kind: 'decrypt', actor, action: 'content.decrypt', decision: 'refused', reason, contentRef: entry.contentRef, details: { ...base, error: code } });
    return refuse(io, message);
  };

  const entryLabel = entry.labels?.[0];
  if (entryLabel !== undefined && entryLabel !== record.label) {
    return failed('label_mismatch', `record ${id} is labelled ${JSON.stringify(record.label)} in the store but entry ${index} says ${JSON.stringify(entryLabel)}: the record was relabelled`);
  }
  let content: RetainedContent;
  try {
    content = openContent({ id, label: record.label, sealed: record.sealed, keys: access.keys });
  } catch (err) {
    return failed('does_not_open', (err as Error).message);
  }
  const wrong = checkContentDigests(entry, content);
  if (wrong.length > 0) return failed('digest_mismatch', `record ${id} does not match the ${wrong.join(' and ')} digest of entry ${index}: it was replaced`);
  io.stdout(`${JSON.stringify({ index, content_ref: entry.contentRef, label: record.label, created_at: new Date(record.createdAt).toISOString(), content }, null, 2)}\n`);
  return 0;
}
