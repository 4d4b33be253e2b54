/** Public surface of the inference part. */
export { createModelRegistry, mayUseModel, isAccreditedFor, type ModelRegistry, type ModelEntry, type ModelSpec } from './registry.ts';
export { createOpenAIBackend, type OpenAIBackendOptions } from './openai-backend.ts';
export { createExtractiveBackend, answerExtractively } from './extractive-backend.ts';
export { InferenceError, type InferenceErrorCode } from './errors.ts';
export type { Backend, BackendRequest, BackendResult, BackendChunk, ChatMessage, ToolCall, Usage, ContextPortion } from './types.ts';
