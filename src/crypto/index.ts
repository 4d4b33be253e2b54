/** Public surface of the crypto part: no other part calls node:crypto or noble directly. */
export { randomBytes, randomToken, randomId, constantTimeEqual } from './random.ts';
export { sha256, sha384, sha256Hex, hash, digestString, HASH_LENGTHS, type HashAlgorithm } from './hash.ts';
export { CryptoError, type CryptoErrorCode } from './errors.ts';
export { toBase64, fromBase64, toHex, fromHex, bytesEqual, concatBytes, utf8 } from './encoding.ts';
export {
  generateEd25519KeyPair,
  generateMlDsa87KeyPair,
  generateHybridSigningKeys,
  signEd25519,
  verifyEd25519,
  signMlDsa87,
  verifyMlDsa87,
  signHybrid,
  verifyHybrid,
  ED25519_SIGNATURE_LENGTH,
  MLDSA87_SIGNATURE_LENGTH,
  type SigningKeyPair,
  type HybridSigningKeys,
  type HybridPublicKey,
  type HybridSignature,
} from './signatures.ts';
export {
  NOTE_SIGNATURE_TYPE_ED25519,
  NOTE_SIGNATURE_TYPE_MLDSA87,
  NOTE_MLDSA87_CONTEXT,
  NOTE_MAX_BYTES,
  NOTE_MAX_SIGNATURES,
  noteKeyId,
  formatNoteKeyId,
  isValidNoteKeyName,
  createNoteVerifierKey,
  formatNoteVerifierKey,
  parseNoteVerifierKey,
  createNoteSigner,
  signNote,
  parseSignedNote,
  verifySignedNote,
  type NoteKeyAlgorithm,
  type NoteVerifierKey,
  type NoteSigner,
  type NoteSignature,
  type ParsedNote,
  type NoteVerification,
} from './signed-note.ts';
export {
  generateEncryptionKeyPair,
  encryptionKeyId,
  encryptionKeyIdHex,
  type EncryptionKeyPair,
  type EncryptionPublicKey,
} from './hybrid-kem.ts';
export { sealRecord, openRecord, rewrapRecord, sealedRecordKeyId, SEALED_RECORD_OVERHEAD, type SealRecordInput, type OpenRecordInput } from './sealed-record.ts';
export { encryptKeyMaterial, decryptKeyMaterial, DEFAULT_SCRYPT_PARAMS, KEY_MATERIAL_FORMAT, type ScryptParams } from './key-material.ts';
export {
  generateKeyBundle,
  createKeyRing,
  rotateKeyRing,
  keyRingPublicKeys,
  keyRingEncryptionKeys,
  keyBundleId,
  serializeKeyRing,
  parseKeyRing,
  sealKeyRing,
  openKeyRing,
  KEY_RING_FORMAT,
  type KeyBundle,
  type RetiredKeyBundle,
  type PublicKeyBundle,
  type KeyRing,
} from './key-bundle.ts';
