/** Public surface of the identity part. */
export { mfaAgeSeconds, toPrincipal, type Principal } from './principal.ts';
export { createApiKey, authenticateApiKey, revokeApiKey, parseBearer, API_KEY_PREFIX, type AuthResult } from './api-keys.ts';
export { bootstrapUsers, type BootstrapUser } from './bootstrap.ts';
export { IdentityError, type IdentityErrorCode } from './errors.ts';
export {
  createOidcVerifier, oidcConfigSchema, principalFromClaims, createPkcePair, OidcError, RFC9068_ACCESS_TOKEN_TYPE,
  type OidcConfig, type OidcClient, type OidcAuth, type ClaimsResult, type OidcMetadata,
} from './oidc.ts';
export {
  startDemoIdentityProvider, type DemoAccount, type DemoClaimNames, type DemoIdentityProvider, type DemoProviderOptions,
} from './demo-provider.ts';
