/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Ask: a question over the corpus, the answer streamed in, the answer's classification banner
 * above and below it, cited sources with their portion marks, and withheld material as a count.
 */
import { describeError, getJson, postEvents, type SessionInfo } from './api.ts';
import { banner, bannerClass, h, mainRegion } from './dom.ts';

interface Citation { id: string; title: string; portionMark: string }
interface ModelInfo { id: string; accredited: string; retrieval: boolean; usable: boolean; description: string }

function answerCard(question: string) {
  const top = banner('…', 'answer-banner-top');
  const bottom = banner('…', 'answer-banner-bottom');
  const text = h('div', { class: 'answer-text', 'data-testid': 'answer-text' });
  const sources = h('div', { class: 'sources' });
  const note = h('p', { class: 'answer-note', 'data-testid': 'answer-note' });
  const card = h('article', { class: 'answer', 'data-testid': 'answer', 'data-state': 'streaming', 'aria-busy': 'true' },
    top, h('p', { class: 'question' }, h('strong', {}, 'Q: '), question), text, sources, note, bottom);
  const setBanner = (b: string) => {
    for (const el of [top, bottom]) { el.textContent = b; el.className = bannerClass(b); el.setAttribute('aria-label', `Classification: ${b}`); }
  };
  return { card, text, sources, note, setBanner };
}

function renderCitations(list: readonly Citation[], withheld: number | null): HTMLElement {
  const box = h('div', {});
  if (list.length > 0) {
    box.append(h('h3', {}, 'Sources'), h('ol', { class: 'citations', 'data-testid': 'citations' },
      ...list.map((c) => h('li', { 'data-testid': 'citation' }, h('span', { class: 'portion-mark', 'data-testid': 'portion-mark' }, c.portionMark), ' ', c.title, h('span', { class: 'cite-id' }, ` [${c.id}]`)))));
  } else box.append(h('p', { class: 'muted' }, 'No sources were cited.'));
  if (withheld !== null && withheld > 0) {
    box.append(h('p', { class: 'withheld', 'data-testid': 'withheld' },
      `${withheld} matching ${withheld === 1 ? 'portion was' : 'portions were'} withheld: above your clearance or not releasable to you. Their content is not shown.`));
  }
  return box;
}

export async function renderAsk(_session: SessionInfo): Promise<void> {
  const main = mainRegion();
  const select = h('select', { id: 'model', name: 'model' });
  const question = h('textarea', { id: 'question', name: 'question', rows: 3, required: true, maxlength: 8000, placeholder: 'Ask about the corpus…', 'aria-describedby': 'ask-help' });
  const submit = h('button', { type: 'submit', id: 'ask-submit' }, 'Ask');
  const form = h('form', { id: 'ask-form', class: 'card' },
    h('label', { for: 'question' }, 'Question'), question,
    h('p', { id: 'ask-help', class: 'muted' }, 'Ctrl+Enter sends. Answers carry the classification of everything they draw on.'),
    h('div', { class: 'row' }, h('label', { for: 'model' }, 'Model'), select, submit));
  const answers = h('section', { id: 'answers', 'aria-live': 'polite', 'aria-label': 'Answers' });
  main.append(form, answers);

  getJson<{ models: ModelInfo[] }>('/console/api/status').then((s) => {
    for (const m of s.models.filter((x) => x.usable)) select.append(h('option', { value: m.id }, `${m.id} (accredited ${m.accredited}${m.retrieval ? ', corpus' : ''})`));
    const preferred = s.models.find((m) => m.usable && m.retrieval);
    if (preferred) select.value = preferred.id;
  }, () => { select.append(h('option', { value: '' }, 'default model')); });

  question.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const q = question.value.trim();
    if (!q) return;
    submit.disabled = true;
    const { card, text, sources, note, setBanner } = answerCard(q);
    answers.prepend(card);
    try {
      for await (const ev of postEvents('/console/api/ask', { question: q, ...(select.value ? { model: select.value } : {}) })) {
        const d = ev.data as Record<string, unknown>;
        if (ev.event === 'meta') setBanner(String(d.classification));
        else if (ev.event === 'delta') text.append(document.createTextNode(String(d.text)));
        else if (ev.event === 'done') {
          setBanner(String(d.classification));
          sources.replaceChildren(renderCitations(d.citations as Citation[], d.withheld as number | null));
          if (d.audit_ref) note.textContent = `Audit reference: ${String(d.audit_ref)}`;
          card.dataset.state = 'done';
        } else if (ev.event === 'error') {
          note.textContent = `The answer stopped: ${String(d.message)}`;
          note.className = 'error';
          card.dataset.state = 'error';
        }
      }
      if (card.dataset.state === 'streaming') { card.dataset.state = 'error'; note.textContent = 'The answer was cut off.'; note.className = 'error'; }
    } catch (err) {
      card.dataset.state = 'error';
      setBanner('UNCLASSIFIED');
      note.textContent = describeError(err);
      note.className = 'error';
      note.setAttribute('role', 'alert');
    } finally {
      card.setAttribute('aria-busy', 'false');
      submit.disabled = false;
      question.focus();
    }
  });
  question.focus();
}
