/** Public surface of the gateway part: the request pipeline. */
export { runChat, STAGES_BEFORE_INFERENCE, upstreamRefusal, type ChatOutcome } from './pipeline.ts';
export { createRequestContext } from './create.ts';
export { identify } from './stages/identify.ts';
export { createMetrics, type GatewayMetrics } from './metrics.ts';
export { renderContext } from './stages/infer.ts';
export type { GatewayDeps, RequestContext, Refusal, Recorder, ContentRetainer, Retriever, RetrievedPortion, PortionPolicy, Decision, Signal, Citation } from './context.ts';
export { createDecisionCache, type DecisionCache } from './decision-cache.ts';
export { toPolicyLabel, toPolicyPrincipal, toPolicyModel, toPolicySignals } from './policy-input.ts';
export { createPortionGate, portionGateFor, type PortionGate, type WithheldPortion } from './portion-policy.ts';
export { usPersonSubject } from './stages/unmask.ts';
