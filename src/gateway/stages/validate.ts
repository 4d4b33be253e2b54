/** Stage validate: the body against the OpenAI schema, the message limit, and the model's existence. */
import { mayUseModel } from '../../inference/index.ts';
import type { GatewayDeps, Refusal, RequestContext } from '../context.ts';
import { chatRequestSchema } from '../schema.ts';

export function validate(ctx: RequestContext, deps: GatewayDeps): Refusal | undefined {
  const parsed = chatRequestSchema.safeParse(ctx.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = issue.path.map(String).join('.') || null;
    return { status: 400, type: 'invalid_request_error', code: 'invalid_request', param, rule: 'validate.schema', message: `${param ?? 'body'}: ${issue.message}` };
  }
  const request = parsed.data;
  if (request.messages.length > deps.limits.maxMessages) {
    return {
      status: 400, type: 'invalid_request_error', code: 'too_many_messages', param: 'messages', rule: 'validate.max_messages',
      message: `messages: at most ${deps.limits.maxMessages} messages per request (got ${request.messages.length})`,
    };
  }
  const group = deps.routeGroups?.get(request.model)
    ?.map((id) => deps.models.get(id)).filter((m): m is NonNullable<typeof m> => m !== undefined && mayUseModel(m, ctx.principal!.roles));
  const model = group ? group[0] : deps.models.get(request.model);
  if (group) ctx.routeGroup = group;
  // A model the caller may not use answers exactly like one that does not exist.
  if (!model || !mayUseModel(model, ctx.principal!.roles)) {
    return { status: 404, type: 'not_found_error', code: 'model_not_found', param: 'model', rule: 'validate.model', message: `The model "${request.model.slice(0, 64)}" does not exist or you do not have access to it.` };
  }
  ctx.request = request;
  ctx.model = model;
  return undefined;
}
