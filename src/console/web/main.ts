/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** The console's script: loads the session, wires sign-out, and renders the page the server named. */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { describeError, loadSession, postJson } from './api.ts';
import { renderApprovals } from './approvals.ts';
import { renderAsk } from './ask.ts';
import { renderAudit } from './audit.ts';
import { renderCorpus } from './corpus.ts';
import { h, mainRegion } from './dom.ts';
import { renderStatus } from './status.ts';

async function boot(): Promise<void> {
  const page = document.body.dataset.page;
  if (!page) return;
  let session;
  try {
    session = await loadSession();
  } catch (err) {
    mainRegion().append(h('p', { class: 'error', role: 'alert', 'data-testid': 'page-error' }, describeError(err)));
    return;
  }
  document.getElementById('sign-out')?.addEventListener('click', async () => {
    try {
      const r = await postJson<{ redirect: string }>('/console/auth/logout', {});
      location.assign(r.redirect);
    } catch (err) {
      mainRegion().append(h('p', { class: 'error', role: 'alert' }, describeError(err)));
    }
  });
  switch (page) {
    case 'ask': return renderAsk(session);
    case 'status': return renderStatus();
    case 'corpus': return renderCorpus();
    case 'approvals': return renderApprovals();
    case 'audit': return renderAudit();
    default: return undefined;
  }
}

void boot();
