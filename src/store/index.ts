/** Public surface of the store part. */
export { openStore } from './open.ts';
export { openSqliteStore } from './sqlite.ts';
export { openPostgresStore } from './postgres.ts';
export { StoreError, type StoreErrorCode } from './errors.ts';
export type { Store, StoreKind, IdentityStore, EventStore, UserRecord, ApiKeyRecord, EventRecord } from './types.ts';
export type * from './corpus-types.ts';
export { createSqliteCorpusStore } from './corpus-sqlite.ts';
export { createPostgresCorpusStore } from './corpus-postgres.ts';
export type * from './sessions-types.ts';
export { createSqliteSessionStore } from './sessions-sqlite.ts';
export { createPostgresSessionStore } from './sessions-postgres.ts';
export type * from './audit-types.ts';
export { createSqliteAuditStore } from './audit-sqlite.ts';
export { createPostgresAuditStore } from './audit-postgres.ts';
export type * from './approvals-types.ts';
export { createSqliteApprovalStore } from './approvals-sqlite.ts';
export { createPostgresApprovalStore } from './approvals-postgres.ts';
export { APPROVAL_STATUSES } from './approvals-types.ts';
