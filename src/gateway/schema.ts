/** The OpenAI chat-completions request, validated where it enters. */
import { z } from 'zod';

const textPart = z.object({ type: z.literal('text'), text: z.string() });

// Content may be a string or an array of text parts; images and audio are not accepted by
// a text-only, label-aware pipeline and are rejected rather than silently dropped.
const content = z.union([z.string(), z.array(textPart).min(1)]).transform((c) => (typeof c === 'string' ? c : c.map((p) => p.text).join('')));

const toolCall = z.object({
  id: z.string().max(256),
  type: z.literal('function'),
  function: z.object({ name: z.string().max(256), arguments: z.string() }),
});

const message = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content, name: z.string().max(256).optional() }),
  z.object({ role: z.literal('developer'), content, name: z.string().max(256).optional() }),
  z.object({ role: z.literal('user'), content, name: z.string().max(256).optional() }),
  z.object({
    role: z.literal('assistant'), content: content.nullable().optional(), name: z.string().max(256).optional(),
    tool_calls: z.array(toolCall).optional(),
  }),
  z.object({ role: z.literal('tool'), content, tool_call_id: z.string().max(256) }),
]);

const tool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'tool names: letters, digits, _ and -, at most 64'),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
]);

/** Unknown top-level fields are ignored (clients send many), never forwarded upstream. */
export const chatRequestSchema = z.object({
  model: z.string().min(1).max(256),
  messages: z.array(message).min(1),
  stream: z.boolean().optional().default(false),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  max_tokens: z.number().int().positive().max(1_000_000).nullable().optional(),
  max_completion_tokens: z.number().int().positive().max(1_000_000).nullable().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
  n: z.literal(1).nullable().optional(),
  tools: z.array(tool).max(128).optional(),
  tool_choice: toolChoice.optional(),
  user: z.string().max(256).optional(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
