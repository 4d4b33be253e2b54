/** Records and per-concern storage interfaces; every implementation passes store.case.test.ts. */
import type { CorpusStore } from './corpus-types.ts';
import type { ApprovalStore } from './approvals-types.ts';
import type { SessionStore } from './sessions-types.ts';
import type { ContentStore } from './content-types.ts';

/** A bootstrap or managed principal, as stored. The clearance is kept as its marking text. */
export interface UserRecord {
  id: string;
  name: string;
  clearance: string;
  nationality: string;
  roles: string[];
  disabled: boolean;
  updatedAt: string;
}

/** An API key. Only the SHA-256 of the secret is stored; `id` is its public, non-secret prefix. */
export interface ApiKeyRecord {
  id: string;
  userId: string;
  hash: string;
  label: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface IdentityStore {
  /** Inserts or replaces a user (config bootstrap runs this at every start). */
  upsertUser(user: UserRecord): Promise<void>;
  getUser(id: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  /** Fails with StoreError('CONFLICT') when the key id already exists. */
  insertApiKey(key: ApiKeyRecord): Promise<void>;
  getApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  listApiKeys(userId?: string): Promise<ApiKeyRecord[]>;
  /** Returns false when no such key, or it was already revoked. */
  revokeApiKey(id: string, at: string): Promise<boolean>;
}

/** Where a generic event lands until the audit log records it (see the audit part). */
export interface EventRecord {
  id: string;
  at: string;
  kind: string;
  actor: string | null;
  requestId: string | null;
  data: Record<string, unknown>;
}

export interface EventStore {
  insertEvent(event: EventRecord): Promise<void>;
  listEvents(filter?: { kind?: string; actor?: string; limit?: number }): Promise<EventRecord[]>;
}

export type StoreKind = 'sqlite' | 'postgres';


/** One opened store: a handle per concern, sharing one connection (pool). */
export interface Store {
  readonly kind: StoreKind;
  readonly identities: IdentityStore;
  readonly events: EventStore;
  /** The classified corpus: portions with label columns and a full-text index. */
  readonly corpus: CorpusStore;
  /** Console sessions and pending sign-ins, shared by replicas. */
  readonly sessions: SessionStore;
  /** Held actions, votes, TOTP secrets and the receipt signing key. */
  readonly approvals: ApprovalStore;
  /** Sealed prompts and answers kept for the retention period (audit `contentRef`). */
  readonly content: ContentStore;
  /** Cheap liveness probe for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
