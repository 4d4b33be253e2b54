/**
 * GET /console/api/status: models and their accreditation, policy and guard versions, and request
 * and decision counts over time. The counters are sampled in memory every chart_interval_seconds
 * (per replica, since the last start); the page charts the differences between samples.
 */
import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from '../gateway/index.ts';
import { mayUseModel } from '../inference/index.ts';
import type { ConsoleContext } from './context.ts';

const MAX_SAMPLES = 360;

export interface CounterSample {
  /** Epoch seconds. */
  t: number;
  requests: { ok: number; client_error: number; server_error: number };
  decisions: { allow: number; deny: number; hold: number };
}

async function sampleCounters(metrics: GatewayMetrics, now: number): Promise<CounterSample> {
  const s: CounterSample = { t: Math.floor(now / 1000), requests: { ok: 0, client_error: 0, server_error: 0 }, decisions: { allow: 0, deny: 0, hold: 0 } };
  for (const v of (await metrics.requests.get()).values) {
    const status = Number(v.labels.status);
    if (status >= 500) s.requests.server_error += v.value;
    else if (status >= 400) s.requests.client_error += v.value;
    else s.requests.ok += v.value;
  }
  for (const v of (await metrics.decisions.get()).values) {
    const effect = String(v.labels.effect);
    if (effect === 'allow' || effect === 'deny' || effect === 'hold') s.decisions[effect] += v.value;
  }
  return s;
}

export function registerStatusRoute(app: FastifyInstance, ctx: ConsoleContext): void {
  const samples: CounterSample[] = [];
  const take = async () => {
    samples.push(await sampleCounters(ctx.gateway.metrics, ctx.now()));
    if (samples.length > MAX_SAMPLES) samples.shift();
  };
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    await take();
    timer = setInterval(() => { take().catch(() => {}); }, ctx.config.chart_interval_seconds * 1000);
    timer.unref();
  });
  app.addHook('onClose', async () => { if (timer) clearInterval(timer); });

  app.get('/api/status', async (request, reply) => {
    const session = await ctx.requireSession(request, reply);
    if (!session) return reply;
    const roles = session.principal.roles;
    let store: 'ok' | 'unavailable' = 'ok';
    try { await ctx.gateway.store.ping(); } catch { store = 'unavailable'; }
    return reply.header('cache-control', 'no-store').send({
      models: ctx.gateway.models.list().map((m) => ({
        id: m.id, backend: m.kind, accredited: m.accreditedText, retrieval: m.retrieval, description: m.description, usable: mayUseModel(m, roles),
      })),
      versions: { policy: ctx.gateway.policy.policyVersion, ...ctx.versions },
      policies: ctx.gateway.policy.policies.map((p) => ({ id: p.id, effect: p.effect, source: p.source })),
      store: { kind: ctx.gateway.store.kind, status: store },
      features: { corpus: !!ctx.corpus, approvals: !!ctx.approvals, audit: !!ctx.audit },
      interval_seconds: ctx.config.chart_interval_seconds,
      samples: [...samples, await sampleCounters(ctx.gateway.metrics, ctx.now())],
    });
  });
}
