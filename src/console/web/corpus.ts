/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** Corpus: the documents the user may see with their banners, a count of the rest, search, and ingestion for administrators. */
import { ApiError, describeError, getJson, postEvents } from './api.ts';
import { bannerClass, h, mainRegion } from './dom.ts';

interface Doc { id: string; title: string; banner: string; portions: number; ingested_at: string }
interface Hit { portion_id: string; title: string; portion_mark: string; snippet: string }

function ingestForm(roots: readonly string[], onDone: () => void): HTMLElement {
  const path = h('input', { id: 'ingest-path', name: 'path', type: 'text', required: true, placeholder: roots[0] ?? '', 'aria-describedby': 'ingest-help' });
  const progress = h('progress', { id: 'ingest-progress', max: 1, value: 0, 'aria-label': 'Ingestion progress' });
  const out = h('p', { id: 'ingest-result', role: 'status' });
  const button = h('button', { type: 'submit' }, 'Ingest');
  const form = h('form', { class: 'card', id: 'ingest-form' }, h('h2', {}, 'Ingest (administrators)'),
    h('label', { for: 'ingest-path' }, 'File or folder on the gateway host'), path,
    h('p', { id: 'ingest-help', class: 'muted' }, roots.length ? `Allowed under: ${roots.join(', ')}` : 'Console ingestion is off (console.ingest_roots is empty).'),
    button, progress, out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    button.disabled = true;
    out.textContent = 'Ingesting…';
    try {
      for await (const ev of postEvents('/console/api/corpus/ingest', { path: path.value })) {
        const d = ev.data as Record<string, number | string>;
        if (ev.event === 'progress') { progress.dataset.done = String(d.filesDone); progress.max = Math.max(1, Number(d.filesTotal)); progress.value = Number(d.filesDone); out.textContent = `${d.filesDone} of ${d.filesTotal} files, ${d.portions} portions`; }
        else if (ev.event === 'done') { out.textContent = `Done: ${d.documents} documents, ${d.portions} portions, ${d.filesRejected} files rejected.`; onDone(); }
        else if (ev.event === 'error') out.textContent = String(d.message);
      }
    } catch (err) {
      out.textContent = describeError(err);
      // Stale MFA: offer a fresh sign-in that comes back here, rather than a dead end.
      if (err instanceof ApiError && err.reauth) out.append(' ', h('a', { href: err.reauth, id: 'ingest-reauth' }, 'Sign in again'));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

export async function renderCorpus(): Promise<void> {
  const main = mainRegion();
  const list = h('section', { class: 'card', id: 'corpus-list' }, h('p', { class: 'muted' }, 'Loading…'));
  const q = h('input', { id: 'corpus-q', name: 'q', type: 'search', required: true });
  const hits = h('div', { id: 'corpus-hits', 'aria-live': 'polite' });
  const search = h('form', { class: 'card', role: 'search' }, h('label', { for: 'corpus-q' }, 'Search what you may see'), q, h('button', { type: 'submit' }, 'Search'), hits);
  main.append(list, search);
  search.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await getJson<{ hits: Hit[] }>(`/console/api/corpus/search?q=${encodeURIComponent(q.value)}`);
      hits.replaceChildren(r.hits.length === 0 ? h('p', {}, 'Nothing you may see matches.') : h('ol', { 'data-testid': 'search-hits' },
        ...r.hits.map((x) => h('li', {}, h('span', { class: 'portion-mark' }, x.portion_mark), ' ', h('strong', {}, x.title), h('p', { class: 'snippet' }, x.snippet)))));
    } catch (err) {
      hits.replaceChildren(h('p', { class: 'error', role: 'alert' }, describeError(err)));
    }
  });

  const load = async () => {
    try {
      const r = await getJson<{ configured: boolean; documents: Doc[]; withheld: number; admin: boolean; ingest_roots: string[] }>('/console/api/corpus');
      if (!r.configured) { list.replaceChildren(h('p', {}, 'No corpus is configured on this gateway.')); return r; }
      list.replaceChildren(h('h2', {}, `Documents you may see (${r.documents.length})`),
        h('table', { 'data-testid': 'documents' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Classification'), h('th', { scope: 'col' }, 'Title'), h('th', { scope: 'col' }, 'Portions'), h('th', { scope: 'col' }, 'Ingested'))),
          h('tbody', {}, ...r.documents.map((d) => h('tr', {}, h('td', {}, h('span', { class: bannerClass(d.banner) + ' inline' }, d.banner)), h('td', {}, d.title), h('td', {}, d.portions), h('td', {}, d.ingested_at.slice(0, 19).replace('T', ' ')))))),
        ...(r.withheld > 0 ? [h('p', { class: 'withheld', 'data-testid': 'withheld-documents' }, `${r.withheld} more ${r.withheld === 1 ? 'document is' : 'documents are'} above your clearance or not releasable to you; not listed.`)] : []));
      return r;
    } catch (err) {
      list.replaceChildren(h('p', { class: 'error', role: 'alert' }, describeError(err)));
      return undefined;
    }
  };
  const r = await load();
  if (r?.admin) main.append(ingestForm(r.ingest_roots, () => { void load(); }));
}
