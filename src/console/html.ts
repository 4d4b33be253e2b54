/** Server-rendered HTML: the page shell and plain message pages. No inline script or style (CSP). */
import type { ConsoleSession } from './session.ts';
import { formatBanner } from '../markings/index.ts';

export const PAGES = ['ask', 'approvals', 'audit', 'corpus', 'status'] as const;
export type PageName = (typeof PAGES)[number];
const TITLES: Record<PageName, string> = { ask: 'Ask', approvals: 'Approvals', audit: 'Audit', corpus: 'Corpus', status: 'Status' };

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** CSS class of a banner, by the level its text starts with. */
export function bannerClass(banner: string): string {
  if (banner.startsWith('TOP SECRET')) return 'banner banner-ts';
  if (banner.startsWith('SECRET')) return 'banner banner-s';
  if (banner.startsWith('CONFIDENTIAL')) return 'banner banner-c';
  return banner.startsWith('UNCLASSIFIED') ? 'banner banner-u' : 'banner';
}

/** The console's one page: both banners and the navigation are rendered here, the rest by the script. */
export function renderShell(page: PageName, session: ConsoleSession, assets: { js: string; css: string }): string {
  const banner = formatBanner(session.principal.clearance);
  const bannerDiv = (id: string) => `<div id="${id}" class="${bannerClass(banner)}" data-testid="page-banner">${escapeHtml(banner)}</div>`;
  const nav = PAGES.map((p) => `<a href="/console/${p}"${p === page ? ' aria-current="page"' : ''}>${TITLES[p]}</a>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${TITLES[page]} · Enclave</title><link rel="stylesheet" href="${assets.css}"><script type="module" src="${assets.js}"></script></head>
<body data-page="${page}">
<header>${bannerDiv('banner-top')}
<a class="skip" href="#main">Skip to content</a>
<nav aria-label="Console"><span class="brand">Enclave</span>${nav}
<span class="who">${escapeHtml(session.principal.name)} · <span data-testid="user-roles">${escapeHtml(session.principal.roles.join(', ') || 'no roles')}</span></span>
<button type="button" id="sign-out">Sign out</button></nav></header>
<div id="status-line" role="status" aria-live="polite"></div>
<main id="main" tabindex="-1"><h1>${TITLES[page]}</h1><noscript>The console needs JavaScript.</noscript></main>
<footer>${bannerDiv('banner-bottom')}</footer>
</body></html>`;
}

/** A page with one message, for sign-in problems and signing out. */
export function renderMessage(title: string, message: string, assets: { css: string }, link = { href: '/console/auth/login', text: 'Sign in' }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Enclave</title><link rel="stylesheet" href="${assets.css}"></head>
<body><main id="main" class="message"><h1>${escapeHtml(title)}</h1><p role="alert">${escapeHtml(message)}</p>
<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p></main></body></html>`;
}
