/**
 * The demo identity provider's sign-in page: a list of the configured demo users, one button each.
 * No passwords: anyone who can reach the page can be anyone on it. Demonstration only.
 */
import type { DemoAccount } from './demo-provider.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** The page's Content-Security-Policy: no script at all, its one style block inline. */
export const SIGN_IN_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

const STYLE = `
body { font: 15px/1.4 system-ui, sans-serif; margin: 0; background: #f4f4f4; color: #111; }
.warn { background: #b00020; color: #fff; font-weight: 700; text-align: center; padding: .6em; letter-spacing: .03em; }
main { max-width: 44em; margin: 2em auto; padding: 0 1em; }
button { display: flex; gap: 1em; width: 100%; text-align: left; margin: .4em 0; padding: .8em 1em; font: inherit;
  border: 1px solid #999; border-radius: 4px; background: #fff; cursor: pointer; }
button:hover, button:focus { border-color: #111; outline: 2px solid #2a5db0; }
.id { font-family: ui-monospace, monospace; min-width: 7em; }
.name { flex: 1; }
.attrs { color: #444; }
`;

/** The page that lets the visitor pick which demo user to be, posting to `action`. */
export function renderSignInPage(accounts: readonly DemoAccount[], action: string): string {
  const rows = accounts.map((a) => {
    const attrs = [a.clearance ?? 'no clearance', a.nationality ?? '', (a.roles ?? []).join(', ')].filter((s) => s.length > 0).join(' · ');
    return `<button type="submit" name="account" value="${escapeHtml(a.id)}" data-account="${escapeHtml(a.id)}">`
      + `<span class="id">${escapeHtml(a.id)}</span><span class="name">${escapeHtml(a.name)}</span><span class="attrs">${escapeHtml(attrs)}</span></button>`;
  }).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo sign-in (not for real use)</title><style>${STYLE}</style></head>
<body>
<div class="warn" role="alert">DEMO IDENTITY PROVIDER: no passwords, anyone can be anyone. Never use it with real data.</div>
<main>
<h1>Sign in to Enclave as a demo user</h1>
<p>Pick who you want to be. Each user's clearance, nationality and roles are what the gateway's configuration says.</p>
<form method="post" action="${escapeHtml(action)}">
${rows}
</form>
</main>
</body></html>
`;
}
