/** The policy part's one error type: start-up failures. Decisions are values, never thrown. */

export type PolicyErrorCode =
  /** A schema or policy file does not parse or does not validate (strict mode). */
  | 'POLICY_INVALID'
  /** policy_dir or a policy file cannot be read. */
  | 'POLICY_LOAD_FAILED'
  /** A decision table (`enclave policy test`) is not valid YAML or not a list of rows. */
  | 'POLICY_TABLE_INVALID';

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  constructor(readonly code: PolicyErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
