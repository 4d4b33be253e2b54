/** What travels through the pipeline: the request context, the dependencies, and refusals. */
import type { Logger } from 'pino';
import type { Principal } from '../identity/index.ts';
import type { ContextPortion, ModelEntry, ModelRegistry } from '../inference/index.ts';
import type { Label } from '../markings/index.ts';
import type { ApprovalService } from '../approvals/index.ts';
import type { Guards, IdentifierLists } from '../guards/index.ts';
import type { PolicyEngine } from '../policy/index.ts';
import type { DecisionCache } from './decision-cache.ts';
import type { Store } from '../store/index.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { ChatRequest } from './schema.ts';

/** An expected "no" from a stage, carried as a value to the HTTP layer and the audit record. */
export interface Refusal {
  status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 502 | 503 | 504;
  type: 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'not_found_error' | 'rate_limit_error' | 'server_error';
  code: string;
  message: string;
  param?: string | null;
  /** The id of the rule that decided, e.g. `auth.api_key` or `redline.wmd`. */
  rule: string;
}

/** A guard's finding about one message, kept without the message text. */
export interface Signal {
  source: 'user' | 'retrieved' | 'tool' | 'output';
  category: string;
  score: number;
  layer: string;
  rule?: string;
  /** use_of_force: the request asks the system itself to select or engage targets. */
  autonomousEngagement?: boolean;
}

export interface Decision {
  effect: 'allow' | 'deny' | 'hold';
  /** The first deciding policy id, e.g. `redline.wmd` or `default.analyst_chat`. */
  rule: string;
  reason: string;
  policyIds: string[];
  /** E.g. `decision_support`: the answer must be marked as support for a human decision. */
  obligations: string[];
}

export interface Citation {
  id: string;
  title: string;
  portionMark: string;
}

export interface RequestContext {
  readonly requestId: string;
  readonly receivedAt: bigint;
  readonly signal: AbortSignal;
  readonly authorization: string | undefined;
  readonly body: unknown;
  principal?: Principal;
  request?: ChatRequest;
  model?: ModelEntry;
  /** When `model` named a route group: its models in order of preference. */
  routeGroup?: readonly ModelEntry[];
  signals: Signal[];
  decision?: Decision;
  /** Portions placed in the model's context, and the labels that went into the answer's label. */
  context: ContextPortion[];
  citations: Citation[];
  inputLabels: Label[];
  /** U.S.-person identities in the context, for the output masker. */
  usPersons: Set<string>;
  /** Retrieved portions dropped for hidden instructions (indirect injection), by id. */
  dropped: Array<{ portionId: string; category: string; score: number }>;
  /** Portions the clearance filter returned that policy (`retrieve`) refused, by id and rule: counted, never shown. */
  withheld: Array<{ portionId: string; rule: string }>;
  label?: Label;
}

/** Records what happened to a request; the audit part implements it. */
export interface Recorder {
  record(event: { kind: string; actor: string | null; requestId: string | null; data: Record<string, unknown> }): Promise<{ ref: string }>;
}

/** Keeps a request's prompt and answer sealed at rest when retention is on; the server implements it. */
export interface ContentRetainer {
  /** Seals and stores the content under the label; resolves with the entry's `contentRef` once stored. */
  retain(input: { label: string; content: Record<string, unknown> }): Promise<string>;
}

/** A portion retrieval placed in context, with its label. */
export interface RetrievedPortion extends ContextPortion {
  label: Label;
  portionId?: string;
  /** U.S.-person identities tagged in the portion, masked in every answer. */
  usPersons?: readonly string[];
}

/** Policy over each candidate portion (the retrieval part's PortionPolicy; see portion-policy.ts). */
export interface PortionPolicy {
  allows(label: Label, portionId?: string): boolean;
}

/** Retrieval as the pipeline sees it; the retrieval part implements it. */
export interface Retriever {
  /** Only portions the principal's clearance dominates, filtered inside the query, and that `policy` allows. */
  retrieve(
    principal: Principal, messages: ReadonlyArray<{ role: string; content?: string | null }>, signal: AbortSignal, policy?: PortionPolicy,
  ): Promise<RetrievedPortion[]>;
}

export interface GatewayDeps {
  store: Store;
  /** Reviews tool calls a model returns: registered tools are decided, held ones opened for approval. */
  approvals?: ApprovalService;
  /** Red-line classifiers and the output guard's masker (see src/guards). */
  guards: Guards;
  /** Configured identifiers (names, e-mails, phones, SSNs) masked in every answer. */
  identifiers?: IdentifierLists;
  /** Ask the configured judge model about borderline scores. */
  useJudge?: boolean;
  /** Verifies OIDC access tokens sent instead of API keys; absent when no provider is configured. */
  oidc?: { verifyAccessToken(token: string): Promise<Principal | undefined> };
  policy: PolicyEngine;
  /** The policy engine behind a memo of identical requests (see decision-cache.ts). */
  decisions: DecisionCache;
  retriever?: Retriever;
  /** Masks U.S.-person identities in text shown outside a model answer (search snippets). */
  maskText?: (text: string, usPersons: readonly string[]) => string;
  /** Inline puts the banner at the top of each answer; header-only leaves the text alone. */
  banner: 'inline' | 'header';
  models: ModelRegistry;
  logger: Logger;
  metrics: GatewayMetrics;
  recorder: Recorder;
  /** Retention of prompts and answers (sealed); absent when the deployment keeps only digests. */
  content?: ContentRetainer;
  limits: { maxMessages: number };
  /** Route groups by name: the models, in order, Enclave may choose from by accreditation. */
  routeGroups?: ReadonlyMap<string, readonly string[]>;
}
