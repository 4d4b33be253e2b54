/** Signal shapes shared by every guard layer; guards produce signals, policy turns them into decisions. */

/** Categories in the order the classifier's output vector uses. */
export const GUARD_CATEGORIES = ['none', 'mass_surveillance', 'use_of_force', 'wmd', 'prompt_injection'] as const;
export type GuardCategory = (typeof GUARD_CATEGORIES)[number];

/** The red lines of design.md: every category except `none`. */
export const RED_LINES = ['mass_surveillance', 'use_of_force', 'wmd', 'prompt_injection'] as const;
export type RedLine = (typeof RED_LINES)[number];

/** Where a text comes from: the caller, a retrieved portion, a tool result, or generated output. */
export type GuardSource = 'user' | 'retrieved' | 'tool' | 'output';

export type GuardLayer = 'normalise' | 'rules' | 'classifier' | 'judge';

/**
 * Why a layer fired. `span` is [start, end) in the text given to classify (UTF-16 units).
 * `text` is only ever a piece of the caller's own message or already-masked output; it is left out
 * for retrieved portions and tool results, which the gateway logs by id only.
 */
export interface GuardEvidence {
  layer: GuardLayer;
  rule?: string;
  span?: [number, number];
  text?: string;
  detail: string;
}

export interface GuardSignal {
  category: GuardCategory;
  /** Score of `category`; for `none`, one minus the highest red-line score. */
  score: number;
  scores: Record<GuardCategory, number>;
  evidence: GuardEvidence[];
}

export type GuardAction = 'allow' | 'deny' | 'hold';

/** Per-category decision thresholds on the fused score (0..1). */
export type GuardThresholds = Record<RedLine, number>;

export type GuardErrorCode =
  | 'GUARD_MODEL_INVALID'
  | 'GUARD_CONFIG_INVALID'
  | 'GUARD_DATASET_INVALID'
  | 'GUARD_JUDGE_FAILED';

/** The guards part's one error type. */
export class GuardError extends Error {
  override readonly name = 'GuardError';
  constructor(readonly code: GuardErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A zeroed score record, for layers to fill in. */
export function emptyScores(): Record<GuardCategory, number> {
  return { none: 0, mass_surveillance: 0, use_of_force: 0, wmd: 0, prompt_injection: 0 };
}
