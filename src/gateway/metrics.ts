/** Prometheus metrics for requests, latency, decisions and upstream errors. */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'route' | 'status'>;
  readonly latency: Histogram<'route' | 'stream'>;
  readonly decisions: Counter<'effect' | 'rule'>;
  readonly upstreamErrors: Counter<'model' | 'code'>;
  readonly upstreamLatency: Histogram<'model'>;
  /**
   * Time in each pipeline stage (`upstream` is the model backend, `output` the output guard,
   * marking and tool review of a whole answer). For operators only: never sent to a client, whose
   * view of per-stage timing (retrieval above all) would be a side channel on hidden content.
   */
  readonly stages: Histogram<'stage'>;
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
    stages: new Histogram({
      name: 'enclave_stage_duration_seconds', help: 'Time spent in each pipeline stage', labelNames: ['stage'], registers: [registry],
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1, 10, 60],
    }),
  };
}
