/** The contract every model backend implements, and the OpenAI chat shapes it speaks. */

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | 'developer';
  content: string | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** A retrieved portion placed in a model's context, with its portion mark and citation id. */
export interface ContextPortion {
  citation: string;
  portionMark: string;
  title: string;
  text: string;
}

/** What the gateway hands a backend: already validated, already authorised. */
export interface BackendRequest {
  /** The conversation; retrieved context, when any, is already rendered into it as a system message. */
  messages: ChatMessage[];
  /** The same retrieved context, structured, for backends that work on it directly (extractive). */
  context?: ContextPortion[];
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string[];
  tools?: unknown[];
  tool_choice?: unknown;
  /** Aborted when the client goes away or the gateway gives up; backends must stop work. */
  signal: AbortSignal;
}

export interface BackendResult {
  content: string | null;
  tool_calls?: ToolCall[];
  finish_reason: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  usage: Usage;
}

/** One streamed piece. Tool-call deltas follow OpenAI's indexed shape. */
export interface BackendChunk {
  content?: string;
  tool_calls?: Array<{ index: number; id?: string; type?: 'function'; function?: { name?: string; arguments?: string } }>;
  finish_reason?: BackendResult['finish_reason'];
  usage?: Usage;
}

export interface Backend {
  /** Configured model id this backend serves. */
  readonly id: string;
  complete(req: BackendRequest): Promise<BackendResult>;
  stream(req: BackendRequest): AsyncIterable<BackendChunk>;
  close(): Promise<void>;
}
