/** Stage identify: who is calling. Missing, unknown, revoked and malformed keys all get one 401. */
import { authenticateApiKey, parseBearer } from '../../identity/index.ts';
import type { GatewayDeps, Refusal, RequestContext } from '../context.ts';

export async function identify(ctx: RequestContext, deps: GatewayDeps): Promise<Refusal | undefined> {
  if (ctx.principal) return undefined;
  const result = await authenticateApiKey(deps.store.identities, parseBearer(ctx.authorization));
  if (result.ok) {
    ctx.principal = result.principal;
    return undefined;
  }
  return {
    status: 401, type: 'authentication_error', code: 'invalid_api_key', rule: 'auth.api_key',
    message: result.reason === 'missing'
      ? 'No API key provided. Send it as "Authorization: Bearer enc_...".'
      : 'Incorrect, revoked or malformed API key.',
  };
}
