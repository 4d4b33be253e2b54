/** Tables for held actions, approvals and receipts (approvals part). Versions 20..29 are reserved for this concern. */
import type { Migration } from '../migrations.ts';

// The primary key (approval_id, approver) is the two-person rule's "each approver counts
// once"; the partial unique index keeps at most one active receipt signing key even when
// replicas start together and each generates one.
export const APPROVAL_MIGRATIONS: readonly Migration[] = [
  {
    version: 20,
    name: 'approvals',
    sqlite: `
      CREATE TABLE approval_requests (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('action', 'unmask')),
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'executing', 'executed', 'failed', 'rejected', 'expired')),
        requester TEXT NOT NULL, target TEXT NOT NULL,
        arguments_json TEXT NOT NULL, arguments_sha256 TEXT NOT NULL, justification TEXT NOT NULL,
        effect TEXT NOT NULL CHECK (effect IN ('read', 'write', 'kinetic', 'unmask')),
        approvals_required INTEGER NOT NULL CHECK (approvals_required >= 0),
        approver_roles TEXT NOT NULL, totp_required INTEGER NOT NULL,
        policy_ids TEXT NOT NULL, reasons TEXT NOT NULL, policy_context TEXT NOT NULL, request_id TEXT,
        created_at TEXT NOT NULL, expires_at TEXT NOT NULL, decided_at TEXT,
        rejected_by TEXT, reject_reason TEXT,
        executor TEXT, claimed_at TEXT, claim_deadline TEXT, finished_at TEXT,
        result TEXT, error TEXT, receipt_sha256 TEXT);
      CREATE INDEX approval_requests_status ON approval_requests(status, expires_at);
      CREATE INDEX approval_requests_requester ON approval_requests(requester, created_at);
      CREATE INDEX approval_requests_created ON approval_requests(created_at);
      CREATE TABLE approval_request_roles (
        approval_id TEXT NOT NULL REFERENCES approval_requests(id), role TEXT NOT NULL,
        PRIMARY KEY (role, approval_id));
      CREATE TABLE approval_votes (
        approval_id TEXT NOT NULL REFERENCES approval_requests(id), approver TEXT NOT NULL,
        reason TEXT NOT NULL, totp INTEGER NOT NULL, at TEXT NOT NULL,
        PRIMARY KEY (approval_id, approver));
      CREATE TABLE mfa_totp (
        user_id TEXT PRIMARY KEY, sealed_secret TEXT NOT NULL, created_at TEXT NOT NULL, last_step INTEGER,
        failures INTEGER NOT NULL DEFAULT 0, last_failure_at TEXT);
      CREATE TABLE approval_signing_keys (
        kid TEXT PRIMARY KEY, alg TEXT NOT NULL, public_jwk TEXT NOT NULL, sealed_private_jwk TEXT NOT NULL,
        created_at TEXT NOT NULL, retired_at TEXT);
      CREATE UNIQUE INDEX approval_signing_keys_one_active ON approval_signing_keys((retired_at IS NULL)) WHERE retired_at IS NULL;`,
    postgres: `
      CREATE TABLE approval_requests (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('action', 'unmask')),
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'executing', 'executed', 'failed', 'rejected', 'expired')),
        requester TEXT NOT NULL, target TEXT NOT NULL,
        arguments_json TEXT NOT NULL, arguments_sha256 TEXT NOT NULL, justification TEXT NOT NULL,
        effect TEXT NOT NULL CHECK (effect IN ('read', 'write', 'kinetic', 'unmask')),
        approvals_required INT NOT NULL CHECK (approvals_required >= 0),
        approver_roles JSONB NOT NULL, totp_required BOOLEAN NOT NULL,
        policy_ids JSONB NOT NULL, reasons JSONB NOT NULL, policy_context JSONB NOT NULL, request_id TEXT,
        created_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL, decided_at TIMESTAMPTZ,
        rejected_by TEXT, reject_reason TEXT,
        executor TEXT, claimed_at TIMESTAMPTZ, claim_deadline TIMESTAMPTZ, finished_at TIMESTAMPTZ,
        result JSONB, error TEXT, receipt_sha256 TEXT);
      CREATE INDEX approval_requests_status ON approval_requests(status, expires_at);
      CREATE INDEX approval_requests_requester ON approval_requests(requester, created_at);
      CREATE INDEX approval_requests_created ON approval_requests(created_at);
      CREATE TABLE approval_request_roles (
        approval_id TEXT NOT NULL REFERENCES approval_requests(id), role TEXT NOT NULL,
        PRIMARY KEY (role, approval_id));
      CREATE TABLE approval_votes (
        approval_id TEXT NOT NULL REFERENCES approval_requests(id), approver TEXT NOT NULL,
        reason TEXT NOT NULL, totp BOOLEAN NOT NULL, at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (approval_id, approver));
      CREATE TABLE mfa_totp (
        user_id TEXT PRIMARY KEY, sealed_secret TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL, last_step BIGINT,
        failures INT NOT NULL DEFAULT 0, last_failure_at TIMESTAMPTZ);
      CREATE TABLE approval_signing_keys (
        kid TEXT PRIMARY KEY, alg TEXT NOT NULL, public_jwk JSONB NOT NULL, sealed_private_jwk TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL, retired_at TIMESTAMPTZ);
      CREATE UNIQUE INDEX approval_signing_keys_one_active ON approval_signing_keys((retired_at IS NULL)) WHERE retired_at IS NULL;`,
  },
];
