/**
 * What Enclave offers to code outside it: the verifiers a tool or an auditor runs without a
 * server (approval receipts, audit proofs and checkpoints, exported logs), and the marking lattice.
 */
export { verifyReceipt } from './approvals/index.ts';
export {
  verifyInclusion, verifyConsistency, verifyCheckpoint, verifyLog, verifyExportDirectory, leafHash, nodeHash,
  RFC6962_LEAF_PREFIX, RFC6962_NODE_PREFIX,
} from './audit/index.ts';
export { parseMarking, formatBanner, formatPortion, dominates, leastUpperBound, checkAccess } from './markings/index.ts';
