/**
 * Stage identify: who is calling. An `enc_` bearer is an API key; any other bearer is an OIDC
 * access token when a provider is configured. Missing, unknown, revoked, expired and malformed
 * credentials, and those of a user disabled on this gateway, all get one 401 so an attacker
 * learns nothing from the difference.
 */
import { API_KEY_PREFIX, authenticateApiKey, parseBearer } from '../../identity/index.ts';
import type { GatewayDeps, Refusal, RequestContext } from '../context.ts';

function unauthenticated(missing: boolean, rule: string): Refusal {
  return {
    status: 401, type: 'authentication_error', code: 'invalid_api_key', rule,
    message: missing
      ? 'No API key provided. Send it as "Authorization: Bearer enc_..." (or an access token from the identity provider).'
      : 'Incorrect, revoked, expired or malformed credentials.',
  };
}

export async function identify(ctx: RequestContext, deps: GatewayDeps): Promise<Refusal | undefined> {
  if (ctx.principal) return undefined;
  const token = parseBearer(ctx.authorization);
  if (token && !token.startsWith(API_KEY_PREFIX) && deps.oidc) {
    const principal = await deps.oidc.verifyAccessToken(token);
    if (!principal) return unauthenticated(false, 'auth.oidc');
    // The provider vouches for who the caller is; this gateway still decides whether that user may
    // use it. A user disabled here (as console sign-in and API keys check) is refused the same way.
    // A user the store has never seen is not refused: the provider is the source of truth for users.
    const user = await deps.store.identities.getUser(principal.id);
    if (user?.disabled) return unauthenticated(false, 'auth.oidc');
    ctx.principal = principal;
    return undefined;
  }
  const result = await authenticateApiKey(deps.store.identities, token);
  if (result.ok) {
    ctx.principal = result.principal;
    return undefined;
  }
  return unauthenticated(result.reason === 'missing', 'auth.api_key');
}
