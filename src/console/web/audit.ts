/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Audit: search the log, open an entry and check its inclusion proof here in the browser against
 * the checkpoint the page shows (through a consistency proof when the gateway proves against a newer
 * one), check that checkpoint's Ed25519 and ML-DSA-87 signatures here against the gateway's
 * published keys, and "verify everything": recompute the checkpoint's root from every entry.
 */
import { describeError, getJson } from './api.ts';
import { parseCheckpointText, parseSignedNote, verifyCheckpointSignatures, type BrowserCheckpoint, type CheckpointCheck } from './checkpoint.ts';
import { h, mainRegion } from './dom.ts';
import { checkInclusion, type InclusionProof } from './inclusion.ts';
import { bytesEqual, RootBuilder, toHex, type HashName } from './merkle.ts';

interface CheckpointInfo {
  size: number; origin?: string; root?: string; hash?: string; created_at?: string; note?: string;
  signatures?: Array<{ name: string; key_hash: string }>; signatures_verified?: boolean; signatures_message?: string | null;
  public_keys?: Array<{ name: string; algorithm: string; key_id: string; vkey: string }>;
}
interface EntryRow { index: number; time: string; kind: string; actor: string; decision: string | null; entry: string }

const RANGE_PAGE = 1000;
const encoder = new TextEncoder();

function hashName(cp: CheckpointInfo): HashName {
  return cp.hash === 'sha384' ? 'SHA-384' : 'SHA-256';
}

/** The checkpoint as the page shows it: parsed here from the signed note, its signatures checked here. */
function examine(cp: CheckpointInfo, alg: HashName): { shown: BrowserCheckpoint | undefined; check: CheckpointCheck } {
  if (!cp.note || !cp.origin) return { shown: undefined, check: { ok: false, message: 'there is no checkpoint yet' } };
  const check = verifyCheckpointSignatures(cp.note, (cp.public_keys ?? []).map((k) => k.vkey), { origin: cp.origin, hash: alg });
  const note = parseSignedNote(cp.note);
  const shown = check.ok ? check.checkpoint : note && parseCheckpointText(note.text, alg);
  // The JSON beside the note must say what the note says, or the page would show one and check another.
  if (shown && (shown.size !== cp.size || (cp.root !== undefined && cp.root !== toHex(shown.root)))) {
    return { shown: undefined, check: { ok: false, message: 'the gateway\'s size or root differs from its signed note' } };
  }
  return { shown, check };
}

export async function renderAudit(): Promise<void> {
  const main = mainRegion();
  const cpBox = h('section', { class: 'card', id: 'checkpoint', 'data-testid': 'checkpoint' }, h('p', { class: 'muted' }, 'Loading the latest checkpoint…'));
  const actor = h('input', { id: 'audit-actor', name: 'actor', type: 'text' });
  const kind = h('input', { id: 'audit-kind', name: 'kind', type: 'text', placeholder: 'request, approval, decision…' });
  const decision = h('input', { id: 'audit-decision', name: 'decision', type: 'text', placeholder: 'allow, deny, hold…' });
  const results = h('div', { id: 'audit-results', 'aria-live': 'polite' });
  const detail = h('section', { class: 'card', id: 'audit-entry', 'data-testid': 'audit-entry', hidden: true });
  const form = h('form', { class: 'card', role: 'search', id: 'audit-search' }, h('h2', {}, 'Search the log'),
    h('div', { class: 'row' }, h('label', { for: 'audit-actor' }, 'Actor'), actor, h('label', { for: 'audit-kind' }, 'Kind'), kind, h('label', { for: 'audit-decision' }, 'Decision'), decision,
      h('button', { type: 'submit' }, 'Search')), results);
  main.append(cpBox, form, detail);

  let cp: CheckpointInfo;
  try {
    cp = await getJson<CheckpointInfo>('/console/api/audit/checkpoint');
  } catch (err) {
    cpBox.replaceChildren(h('p', { class: 'error', role: 'alert' }, describeError(err)));
    return;
  }
  const alg = hashName(cp);
  const { shown, check } = examine(cp, alg);
  const size = shown?.size ?? 0;
  const progress = h('progress', { id: 'verify-progress', max: Math.max(1, size), value: 0, 'aria-label': 'Verification progress' });
  const verifyOut = h('p', { id: 'verify-result', 'data-testid': 'verify-all-result', role: 'status' });
  const verifyAll = h('button', { type: 'button', id: 'verify-all', disabled: !shown }, 'Verify everything');
  const browserVerdict = check.ok
    ? `signatures verified in this browser: Ed25519 and ML-DSA-87 by key ${check.verified.map((k) => k.keyId.toString(16).padStart(8, '0')).join(' and ')}`
    : `signatures NOT verified in this browser: ${check.message}`;
  cpBox.replaceChildren(h('h2', {}, 'Latest checkpoint'),
    h('dl', {}, h('dt', {}, 'origin'), h('dd', {}, shown?.origin ?? cp.origin ?? '—'), h('dt', {}, 'entries'), h('dd', { 'data-testid': 'checkpoint-size' }, size),
      h('dt', {}, 'root'), h('dd', {}, h('code', {}, shown ? toHex(shown.root) : '—')), h('dt', {}, 'signed at'), h('dd', {}, cp.created_at ?? '—'),
      h('dt', {}, 'in this browser'), h('dd', { class: check.ok ? 'ok' : 'error', 'data-testid': 'checkpoint-signatures-browser', 'data-verified': String(check.ok) }, browserVerdict),
      h('dt', {}, 'signatures'), h('dd', { 'data-testid': 'checkpoint-signatures' },
        cp.signatures_verified ? 'verified by the gateway against its configured keys' : `NOT verified by the gateway: ${cp.signatures_message ?? 'no checkpoint'}`,
        h('ul', {}, ...(cp.signatures ?? []).map((s) => h('li', {}, h('code', {}, s.name), ` key ${s.key_hash}`)))),
      h('dt', {}, 'published keys'), h('dd', { 'data-testid': 'checkpoint-keys' },
        h('ul', {}, ...(cp.public_keys ?? []).map((k) => h('li', {}, `${k.algorithm} key ${k.key_id} `, h('code', { class: 'vkey' }, `${k.vkey.slice(0, 48)}…`)))))),
    ...(cp.note ? [h('details', {}, h('summary', {}, 'Signed note'), h('pre', {}, cp.note))] : []),
    verifyAll, progress, verifyOut);

  verifyAll.addEventListener('click', async () => {
    verifyAll.disabled = true;
    const builder = new RootBuilder(alg);
    try {
      for (let from = 0; from < size; from += RANGE_PAGE) {
        const to = Math.min(size, from + RANGE_PAGE);
        const page = await getJson<{ entries: string[] }>(`/console/api/audit/range?from=${from}&to=${to}`);
        for (const e of page.entries) await builder.add(encoder.encode(e));
        progress.value = builder.count;
        verifyOut.textContent = `Hashed ${builder.count} of ${size} entries…`;
      }
      const root = await builder.root();
      const ok = !!shown && builder.count === size && bytesEqual(root, shown.root);
      verifyOut.textContent = ok
        ? `All ${size} entries verified in this browser: they hash to the checkpoint's root.`
        : `Verification FAILED: the ${builder.count} entries do not hash to the checkpoint's root.`;
      verifyOut.className = ok ? 'ok' : 'error';
    } catch (err) {
      verifyOut.textContent = describeError(err);
      verifyOut.className = 'error';
    } finally {
      verifyAll.disabled = false;
    }
  });

  const open = async (index: number) => {
    detail.hidden = false;
    detail.replaceChildren(h('h2', {}, `Entry ${index}`), h('p', { class: 'muted' }, 'Fetching the proof…'));
    try {
      const p = await getJson<InclusionProof>(`/console/api/audit/proof/${index}`);
      const result = shown
        ? await checkInclusion(p, shown, alg, (from, to) => getJson<{ proof: string[] }>(`/console/api/audit/consistency?from=${from}&to=${to}`))
        : { ok: false, message: 'There is no checkpoint on this page to check the proof against.' };
      detail.replaceChildren(h('h2', {}, `Entry ${index}`),
        h('p', { class: result.ok ? 'ok' : 'error', 'data-testid': 'inclusion-result', 'data-verified': String(result.ok), role: 'status' }, result.message),
        h('pre', { 'data-testid': 'entry-json' }, JSON.stringify(JSON.parse(p.entry), null, 2)),
        h('details', {}, h('summary', {}, `Inclusion proof (${p.proof.length} hashes)`), h('ol', {}, ...p.proof.map((x) => h('li', {}, h('code', {}, x))))));
    } catch (err) {
      detail.replaceChildren(h('h2', {}, `Entry ${index}`), h('p', { class: 'error', role: 'alert' }, describeError(err)));
    }
    detail.focus();
  };

  const search = async () => {
    const params = new URLSearchParams();
    if (actor.value) params.set('actor', actor.value);
    if (kind.value) params.set('kind', kind.value);
    if (decision.value) params.set('decision', decision.value);
    try {
      const r = await getJson<{ data: EntryRow[] }>(`/console/api/audit/entries?${params}`);
      results.replaceChildren(r.data.length === 0 ? h('p', {}, 'No entries match.') : h('table', { 'data-testid': 'audit-entries' },
        h('thead', {}, h('tr', {}, ...['#', 'Time', 'Kind', 'Actor', 'Decision', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...r.data.map((e) => {
          const b = h('button', { type: 'button', 'data-index': e.index }, 'Open and verify');
          b.addEventListener('click', () => { void open(e.index); });
          return h('tr', {}, h('td', {}, e.index), h('td', {}, e.time), h('td', {}, e.kind), h('td', {}, e.actor), h('td', {}, e.decision ?? ''), h('td', {}, e.index < size ? b : 'not yet in the checkpoint shown'));
        }))));
    } catch (err) {
      results.replaceChildren(h('p', { class: 'error', role: 'alert' }, describeError(err)));
    }
  };
  detail.setAttribute('tabindex', '-1');
  form.addEventListener('submit', (e) => { e.preventDefault(); void search(); });
  await search();
}
