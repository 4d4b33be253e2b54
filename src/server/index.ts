/** Public surface of the server part. */
export { buildApp, type AppOptions } from './app.ts';
export { startGateway, type RunningGateway, type StartOptions } from './start.ts';
export { loadConfig, parseConfig, configSchema, type ConfigOverrides, type EnclaveConfig, type ModelConfig, type UserConfig } from './config.ts';
export { ServerError, type ServerErrorCode } from './errors.ts';
export { retentionConfigSchema, type RetentionConfig } from './retention.ts';
export { openGatewayAudit, auditConfigSchema, readKeyRing, writeKeyRing, keyRingPath, auditOrigin, type GatewayAudit, type AuditConfig } from './audit-setup.ts';
