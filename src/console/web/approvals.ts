/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Approvals: the pending queue (tool, arguments, justification, requester, the policy that held
 * it, time left), approve or reject with a reason and TOTP, refreshed every two seconds. A card
 * being filled in is updated in place, never rebuilt under the user's cursor.
 */
import { describeError, getJson, postJson } from './api.ts';
import { formatDuration, h, mainRegion } from './dom.ts';

interface Approval {
  id: string; kind: string; status: string; requester: string; tool: string | null; subject: string | null; arguments: unknown;
  justification: string; effect: string; approvals_required: number; totp_required: boolean;
  approvals: Array<{ approver: string; reason: string; totp: boolean; at: string }>; policy_ids: string[]; reasons: string[];
  expires_at: string; seconds_left: number;
}

const REFRESH_MS = 2000;

function card(a: Approval, me: string, onDone: (message: string) => void) {
  const reason = h('input', { id: `reason-${a.id}`, name: 'reason', type: 'text', required: true, autocomplete: 'off' });
  const totp = h('input', { id: `totp-${a.id}`, name: 'totp', type: 'text', inputmode: 'numeric', pattern: '[0-9]{6}', maxlength: 6, autocomplete: 'one-time-code', required: a.totp_required });
  const approve = h('button', { type: 'submit', value: 'approve', class: 'approve' }, 'Approve');
  const reject = h('button', { type: 'submit', value: 'reject', class: 'reject', formnovalidate: true }, 'Reject');
  const out = h('p', { class: 'result', role: 'status' });
  const left = h('span', { class: 'time-left', 'data-testid': 'time-left' }, formatDuration(a.seconds_left));
  const votes = h('span', { 'data-testid': 'votes' }, `${a.approvals.length} of ${a.approvals_required}`);
  const mine = a.requester === me;
  const voted = a.approvals.some((v) => v.approver === me);
  const form = h('form', { class: 'decide' },
    h('label', { for: `reason-${a.id}` }, 'Reason'), reason,
    h('label', { for: `totp-${a.id}` }, `TOTP code${a.totp_required ? '' : ' (optional)'}`), totp,
    approve, reject, out);
  if (mine || voted) {
    for (const el of [reason, totp, approve, reject]) el.disabled = true;
    out.textContent = mine ? 'You requested this; someone else must decide.' : 'You have approved this; it waits for another approver.';
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const verb = ((e as SubmitEvent).submitter as HTMLButtonElement | null)?.value === 'reject' ? 'reject' : 'approve';
    if (!reason.value.trim()) { out.textContent = 'Give a reason.'; reason.focus(); return; }
    approve.disabled = true; reject.disabled = true;
    try {
      const r = await postJson<Approval & { audit_ref: string }>(`/console/api/approvals/${encodeURIComponent(a.id)}/${verb}`,
        verb === 'approve' ? { reason: reason.value, ...(totp.value ? { totp: totp.value } : {}) } : { reason: reason.value });
      onDone(`${verb === 'approve' ? 'Approved' : 'Rejected'} ${a.id}: now ${r.status} (audit ${r.audit_ref}).`);
      out.textContent = `Done: ${r.status}.`;
    } catch (err) {
      out.textContent = describeError(err);
      out.className = 'result error';
      approve.disabled = false; reject.disabled = false;
    }
  });
  const el = h('article', { class: 'card approval', 'data-testid': 'approval', 'data-id': a.id, 'aria-labelledby': `title-${a.id}` },
    h('h2', { id: `title-${a.id}` }, a.kind === 'unmask' ? `Unmask ${a.subject ?? ''}` : `${a.tool ?? ''} (${a.effect})`),
    h('dl', {},
      h('dt', {}, 'Requester'), h('dd', { 'data-testid': 'requester' }, a.requester),
      h('dt', {}, 'Justification'), h('dd', {}, a.justification),
      h('dt', {}, 'Arguments'), h('dd', {}, h('pre', { 'data-testid': 'arguments' }, JSON.stringify(a.arguments, null, 2))),
      h('dt', {}, 'Held by'), h('dd', { 'data-testid': 'policy' }, a.policy_ids.join(', '), a.reasons.length ? h('ul', { class: 'reasons' }, ...a.reasons.map((r) => h('li', {}, r))) : null),
      h('dt', {}, 'Approvals'), h('dd', {}, votes),
      h('dt', {}, 'Time left'), h('dd', {}, left)),
    form);
  return { el, update: (n: Approval) => { left.textContent = formatDuration(n.seconds_left); votes.textContent = `${n.approvals.length} of ${n.approvals_required}`; } };
}

export async function renderApprovals(): Promise<void> {
  const main = mainRegion();
  const notice = h('p', { id: 'approvals-notice', role: 'status', 'aria-live': 'polite' });
  const list = h('section', { id: 'approvals', 'aria-label': 'Pending requests' });
  const empty = h('p', { class: 'muted', 'data-testid': 'approvals-empty' }, 'Nothing is waiting for you.');
  main.append(h('p', { class: 'muted' }, 'Pending requests you may decide, refreshed every 2 seconds.'), notice, list);
  const cards = new Map<string, ReturnType<typeof card>>();
  const refresh = async () => {
    let r: { data: Approval[]; user: string };
    try {
      r = await getJson<{ data: Approval[]; user: string }>('/console/api/approvals?status=pending');
    } catch (err) {
      if (cards.size === 0) list.replaceChildren(h('p', { class: 'error', role: 'alert' }, describeError(err)));
      return;
    }
    const ids = new Set(r.data.map((a) => a.id));
    for (const [id, c] of cards) if (!ids.has(id)) { c.el.remove(); cards.delete(id); }
    for (const a of r.data) {
      const c = cards.get(a.id);
      if (c) c.update(a);
      else {
        const n = card(a, r.user, (m) => { notice.textContent = m; void refresh(); });
        cards.set(a.id, n);
        list.append(n.el);
      }
    }
    if (cards.size === 0) list.replaceChildren(empty);
    else empty.remove();
  };
  await refresh();
  setInterval(() => { void refresh(); }, REFRESH_MS);
}
