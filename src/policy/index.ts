/** Public surface of the policy part: Cedar schema, shipped red lines, decisions, decision tables. */
export { createPolicyEngine, type PolicyEngine, type PolicyEngineOptions, type PolicyInfo } from './engine.ts';
export { PolicyError, type PolicyErrorCode } from './errors.ts';
export { POLICY_SCHEMA } from './schema.ts';
export { DECISION_SUPPORT, INVALID_REQUEST_ID, POLICY_ERROR_ID } from './outcome.ts';
export { DEFAULT_DENY_ID } from './compile.ts';
export {
  ACTION_RESOURCE, POLICY_ACTIONS, RED_LINE_CATEGORIES, SIGNAL_CATEGORIES, policyRequestSchema,
  type ClassificationLevel, type Decision, type DecisionEffect, type PolicyAction, type PolicyContext, type PolicyLabel,
  type PolicyPrincipal, type PolicyRequest, type PolicyResource, type PolicySignal, type RedLineCategory,
  type ResourceType, type SignalCategory, type ToolEffect,
} from './request.ts';
export { runPolicyTable, type PolicyExpectation, type PolicyTableReport, type PolicyTableResult } from './table.ts';
