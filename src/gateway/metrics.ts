/** Prometheus metrics for requests, latency, decisions and upstream errors. */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'route' | 'status'>;
  readonly latency: Histogram<'route' | 'stream'>;
  readonly decisions: Counter<'effect' | 'rule'>;
  readonly upstreamErrors: Counter<'model' | 'code'>;
  readonly upstreamLatency: Histogram<'model'>;
}

/** Creates a fresh registry (one per gateway, so tests never share counters). */
export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'enclave_' });
  return {
    registry,
    requests: new Counter({ name: 'enclave_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers: [registry] }),
    latency: new Histogram({
      name: 'enclave_request_duration_seconds', help: 'Time from request to response end', labelNames: ['route', 'stream'], registers: [registry],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    }),
    decisions: new Counter({ name: 'enclave_decisions_total', help: 'Pipeline decisions by effect and rule', labelNames: ['effect', 'rule'], registers: [registry] }),
    upstreamErrors: new Counter({ name: 'enclave_upstream_errors_total', help: 'Model backend failures by model and code', labelNames: ['model', 'code'], registers: [registry] }),
    upstreamLatency: new Histogram({
      name: 'enclave_upstream_duration_seconds', help: 'Model backend time to first byte or full answer', labelNames: ['model'], registers: [registry],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    }),
  };
}
