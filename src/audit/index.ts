/** Public surface of the audit part: the Merkle log, checkpoints, proofs and the offline verifier. */
export { RFC6962_LEAF_PREFIX, RFC6962_NODE_PREFIX, TreeHasher, treeHasher, leafHash, nodeHash } from './tree-hash.ts';
export {
  rootFromLeaves,
  rootFromLeafHashes,
  largestPowerOfTwoBelow,
  inclusionProofRanges,
  consistencyProofRanges,
  generateInclusionProof,
  generateConsistencyProof,
  leafHashSource,
  rootFromInclusionProof,
  verifyInclusion,
  verifyConsistency,
  type LeafRange,
  type SubtreeSource,
} from './merkle.ts';
export { CompactRange } from './compact-range.ts';
export {
  AUDIT_KINDS,
  AUDIT_ENTRY_VERSION,
  AUDIT_ENTRY_MAX_BYTES,
  auditRecordSchema,
  auditEntrySchema,
  prepareEntry,
  finishEntry,
  parseEntry,
  isCanonicalEntry,
  canonicalJson,
  type AuditKind,
  type AuditRecord,
  type AuditEntry,
} from './entry.ts';
export {
  formatCheckpointBody,
  parseCheckpointBody,
  signCheckpoint,
  verifyCheckpoint,
  checkpointSigners,
  checkpointVerifierKeys,
  checkpointKeysFromRing,
  type Checkpoint,
  type CheckpointVerification,
  type CheckpointVerifyOptions,
} from './checkpoint.ts';
export { startCheckpointSigner, type CheckpointSigner } from './checkpoint-signer.ts';
export type { AuditStore, LogHead, StoredEntry, StoredCheckpoint, AuditSearch } from './store.ts';
export { createExportStore, isExportDirectory, type ExportStore, type ExportStoreOptions } from './export-store.ts';
export { EXPORT_FORMAT, EXPORT_FILES, type ExportManifest } from './export-format.ts';
export { CheckpointSet, LogVerifier, type VerifyResult, type VerifyFailureCode, type CheckpointAnchor } from './verifier.ts';
export { verifyLog, type VerifyLogInput, type EntrySource } from './verify-run.ts';
export { verifyExportDirectory, type VerifyExportOptions, type ExportVerification } from './verify-export.ts';
export { AuditLog, type AuditLogOptions, type AppendReceipt, type CheckpointKeys, type InclusionBundle, type ConsistencyBundle } from './log.ts';
export { createAuditRecorder, recordFromEvent, type AuditEvent } from './recorder.ts';
export {
  CONTENT_REF_PREFIX,
  newContentId,
  formatContentRef,
  parseContentRef,
  contentAad,
  sealContent,
  openContent,
  checkContentDigests,
  type RetainedContent,
} from './content.ts';
export { AuditError, type AuditErrorCode } from './errors.ts';
export { benchAudit, writeSyntheticExport, type BenchAuditOptions } from './bench.ts';
