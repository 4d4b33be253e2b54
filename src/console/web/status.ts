/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** Status: models and their accreditation, policy and guard versions, request and decision charts (uPlot). */
import uPlot from 'uplot';
import { describeError, getJson } from './api.ts';
import { h, mainRegion } from './dom.ts';

interface Sample { t: number; requests: { ok: number; client_error: number; server_error: number }; decisions: { allow: number; deny: number; hold: number } }
interface StatusInfo {
  models: Array<{ id: string; backend: string; accredited: string; retrieval: boolean; description: string; usable: boolean }>;
  versions: Record<string, string>;
  policies: Array<{ id: string; effect: string; source: string }>;
  store: { kind: string; status: string };
  interval_seconds: number;
  samples: Sample[];
}

/** Per-interval differences of cumulative counters, as uPlot's column data. */
function deltas(samples: readonly Sample[], pick: (s: Sample) => number[]): uPlot.AlignedData {
  const xs: number[] = [];
  const cols: number[][] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = pick(samples[i - 1]!);
    const b = pick(samples[i]!);
    xs.push(samples[i]!.t);
    b.forEach((v, k) => { (cols[k] ??= []).push(Math.max(0, v - (a[k] ?? 0))); });
  }
  return [xs, ...cols];
}

function chart(title: string, names: string[], colours: string[], data: uPlot.AlignedData, width: number): HTMLElement {
  const box = h('figure', { class: 'chart', 'data-testid': 'chart' }, h('figcaption', {}, title));
  const opts: uPlot.Options = {
    width, height: 200,
    series: [{}, ...names.map((label, i) => ({ label, stroke: colours[i]!, width: 2, points: { show: false } }))],
    axes: [{}, { label: 'per interval' }],
  };
  // uPlot measures its container: attach first, then draw.
  queueMicrotask(() => new uPlot(opts, data, box));
  return box;
}

export async function renderStatus(): Promise<void> {
  const main = mainRegion();
  const body = h('div', { id: 'status-body' }, h('p', { class: 'muted' }, 'Loading…'));
  main.append(body);
  let s: StatusInfo;
  try {
    s = await getJson<StatusInfo>('/console/api/status');
  } catch (err) {
    body.replaceChildren(h('p', { class: 'error', role: 'alert' }, describeError(err)));
    return;
  }
  const width = Math.max(320, Math.min(900, main.clientWidth - 32));
  body.replaceChildren(
    h('section', { class: 'card' }, h('h2', {}, 'Models'),
      h('table', { 'data-testid': 'models' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Model'), h('th', { scope: 'col' }, 'Backend'), h('th', { scope: 'col' }, 'Accredited up to'), h('th', { scope: 'col' }, 'Corpus'), h('th', { scope: 'col' }, 'Available to you'))),
        h('tbody', {}, ...s.models.map((m) => h('tr', {}, h('td', {}, m.id), h('td', {}, m.backend), h('td', {}, m.accredited), h('td', {}, m.retrieval ? 'yes' : 'no'), h('td', {}, m.usable ? 'yes' : 'no')))))),
    h('section', { class: 'card' }, h('h2', {}, 'Versions'),
      h('dl', { 'data-testid': 'versions' }, ...Object.entries(s.versions).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, h('code', {}, v))]),
        h('dt', {}, 'policies loaded'), h('dd', {}, `${s.policies.length} (${s.policies.filter((p) => p.effect === 'forbid').length} forbid)`),
        h('dt', {}, 'store'), h('dd', {}, `${s.store.kind}: ${s.store.status}`))),
    h('section', { class: 'card' }, h('h2', {}, `Activity (every ${s.interval_seconds} s since start)`),
      chart('Requests', ['2xx/3xx', '4xx', '5xx'], ['#2e7d32', '#ef6c00', '#c62828'], deltas(s.samples, (x) => [x.requests.ok, x.requests.client_error, x.requests.server_error]), width),
      chart('Decisions', ['allow', 'deny', 'hold'], ['#2e7d32', '#c62828', '#1565c0'], deltas(s.samples, (x) => [x.decisions.allow, x.decisions.deny, x.decisions.hold]), width)),
  );
}
