/**
 * The export bundle: a directory an auditor can carry to another machine and verify with no
 * database. Files: manifest.json, entries.jsonl (one canonical entry per line, in index order),
 * checkpoints.jsonl (one stored checkpoint per line), pubkeys.txt (one note verifier key per line).
 */
import { z } from 'zod';
import { fromBase64, toBase64, type HashAlgorithm } from '../crypto/index.ts';
import type { StoredCheckpoint } from './store.ts';

export const EXPORT_FORMAT = 'enclave-audit-export/v1';
export const EXPORT_FILES = { manifest: 'manifest.json', entries: 'entries.jsonl', checkpoints: 'checkpoints.jsonl', pubkeys: 'pubkeys.txt' } as const;

export const manifestSchema = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  origin: z.string().min(1).max(1024),
  hashAlgorithm: z.enum(['sha256', 'sha384']),
  createdAt: z.iso.datetime(),
});
export type ExportManifest = z.infer<typeof manifestSchema>;

const checkpointLineSchema = z.strictObject({
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  root: z.string().max(128),
  note: z.string().max(256 * 1024),
  frontier: z.array(z.string().max(128)).max(64),
  createdAt: z.iso.datetime(),
});

/** One checkpoints.jsonl line. */
export function formatCheckpointLine(cp: StoredCheckpoint): string {
  return `${JSON.stringify({ size: cp.size, root: toBase64(cp.rootHash), note: cp.note, frontier: cp.frontier.map(toBase64), createdAt: cp.createdAt })}\n`;
}

/** Parses one checkpoints.jsonl line (hostile input); throws on anything malformed. */
export function parseCheckpointLine(line: string): StoredCheckpoint {
  const raw = checkpointLineSchema.parse(JSON.parse(line));
  return { size: raw.size, rootHash: fromBase64(raw.root), note: raw.note, frontier: raw.frontier.map((h) => fromBase64(h)), createdAt: raw.createdAt };
}

/** Manifest text for a log. */
export function formatManifest(origin: string, hashAlgorithm: HashAlgorithm, now: Date = new Date()): string {
  const manifest: ExportManifest = { format: EXPORT_FORMAT, origin, hashAlgorithm, createdAt: now.toISOString() };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
