/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Audit: search the log, open an entry and check its inclusion proof here in the browser against
 * the latest checkpoint, show the checkpoint's signatures, and "verify everything": recompute the
 * checkpoint's root from every entry, with progress.
 */
import { describeError, getJson } from './api.ts';
import { h, mainRegion } from './dom.ts';
import { bytesEqual, fromHex, leafHash, parseCheckpointNote, rootFromInclusionProof, RootBuilder, toHex, type HashName } from './merkle.ts';

interface CheckpointInfo {
  size: number; origin?: string; root?: string; hash?: string; created_at?: string; note?: string;
  signatures?: Array<{ name: string; key_hash: string }>; signatures_verified?: boolean; signatures_message?: string | null;
}
interface EntryRow { index: number; time: string; kind: string; actor: string; decision: string | null; entry: string }
interface Proof { index: number; size: number; entry: string; leaf_hash: string; proof: string[]; checkpoint: string }

const RANGE_PAGE = 1000;
const encoder = new TextEncoder();

function hashName(cp: CheckpointInfo): HashName {
  return cp.hash === 'sha384' ? 'SHA-384' : 'SHA-256';
}

/** Checks one entry in the browser: its leaf hash, and the proof's root against the checkpoint's. */
async function checkInclusion(p: Proof, alg: HashName): Promise<{ ok: boolean; message: string }> {
  const cp = parseCheckpointNote(p.checkpoint);
  if (!cp || cp.size !== p.size) return { ok: false, message: 'The checkpoint in the proof does not parse or has another size.' };
  const leaf = await leafHash(alg, encoder.encode(p.entry));
  if (toHex(leaf) !== p.leaf_hash) return { ok: false, message: 'The entry does not hash to the leaf hash the gateway sent.' };
  const root = await rootFromInclusionProof(alg, p.index, p.size, leaf, p.proof.map(fromHex));
  if (!root) return { ok: false, message: 'The proof has the wrong shape for this entry and tree size.' };
  if (!bytesEqual(root, cp.root)) return { ok: false, message: 'The proof does not lead to the checkpoint\'s root.' };
  return { ok: true, message: `Verified in this browser: entry ${p.index} is in the log of ${p.size} entries whose root is ${toHex(cp.root).slice(0, 16)}…` };
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
  const progress = h('progress', { id: 'verify-progress', max: Math.max(1, cp.size), value: 0, 'aria-label': 'Verification progress' });
  const verifyOut = h('p', { id: 'verify-result', 'data-testid': 'verify-all-result', role: 'status' });
  const verifyAll = h('button', { type: 'button', id: 'verify-all' }, 'Verify everything');
  cpBox.replaceChildren(h('h2', {}, 'Latest checkpoint'),
    h('dl', {}, h('dt', {}, 'origin'), h('dd', {}, cp.origin ?? '—'), h('dt', {}, 'entries'), h('dd', { 'data-testid': 'checkpoint-size' }, cp.size),
      h('dt', {}, 'root'), h('dd', {}, h('code', {}, cp.root ?? '—')), h('dt', {}, 'signed at'), h('dd', {}, cp.created_at ?? '—'),
      h('dt', {}, 'signatures'), h('dd', { 'data-testid': 'checkpoint-signatures' },
        cp.signatures_verified ? 'verified by the gateway against its configured keys' : `NOT verified: ${cp.signatures_message ?? 'no checkpoint'}`,
        h('ul', {}, ...(cp.signatures ?? []).map((s) => h('li', {}, h('code', {}, s.name), ` key ${s.key_hash}`))))),
    ...(cp.note ? [h('details', {}, h('summary', {}, 'Signed note'), h('pre', {}, cp.note))] : []),
    verifyAll, progress, verifyOut);

  verifyAll.addEventListener('click', async () => {
    verifyAll.disabled = true;
    const expected = cp.note ? parseCheckpointNote(cp.note) : undefined;
    const builder = new RootBuilder(alg);
    try {
      for (let from = 0; from < cp.size; from += RANGE_PAGE) {
        const to = Math.min(cp.size, from + RANGE_PAGE);
        const page = await getJson<{ entries: string[] }>(`/console/api/audit/range?from=${from}&to=${to}`);
        for (const e of page.entries) await builder.add(encoder.encode(e));
        progress.value = builder.count;
        verifyOut.textContent = `Hashed ${builder.count} of ${cp.size} entries…`;
      }
      const root = await builder.root();
      const ok = !!expected && builder.count === cp.size && bytesEqual(root, expected.root);
      verifyOut.textContent = ok
        ? `All ${cp.size} entries verified in this browser: they hash to the checkpoint's root.`
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
      const p = await getJson<Proof>(`/console/api/audit/proof/${index}`);
      const result = await checkInclusion(p, alg);
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
          return h('tr', {}, h('td', {}, e.index), h('td', {}, e.time), h('td', {}, e.kind), h('td', {}, e.actor), h('td', {}, e.decision ?? ''), h('td', {}, e.index < cp.size ? b : 'not yet in a checkpoint'));
        }))));
    } catch (err) {
      results.replaceChildren(h('p', { class: 'error', role: 'alert' }, describeError(err)));
    }
  };
  detail.setAttribute('tabindex', '-1');
  form.addEventListener('submit', (e) => { e.preventDefault(); void search(); });
  await search();
}
