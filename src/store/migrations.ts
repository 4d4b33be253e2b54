/**
 * Schema migrations, in order, per dialect. A migration is never edited once shipped: add a
 * new one. Both dialects keep the same tables so the contract suite means the same thing.
 * Each concern keeps its migrations in ./schema/<concern>.ts, in its own range of versions.
 */
import { APPROVAL_MIGRATIONS } from './schema/approvals.ts';
import { AUDIT_MIGRATIONS } from './schema/audit.ts';
import { CONTENT_MIGRATIONS } from './schema/content.ts';
import { CORPUS_MIGRATIONS } from './schema/corpus.ts';
import { EVENT_MIGRATIONS } from './schema/events.ts';
import { IDENTITY_MIGRATIONS } from './schema/identities.ts';
import { SESSION_MIGRATIONS } from './schema/sessions.ts';

export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [
  ...IDENTITY_MIGRATIONS, ...EVENT_MIGRATIONS, ...CORPUS_MIGRATIONS, ...AUDIT_MIGRATIONS, ...APPROVAL_MIGRATIONS, ...SESSION_MIGRATIONS,
  ...CONTENT_MIGRATIONS,
].sort((a, b) => a.version - b.version);
