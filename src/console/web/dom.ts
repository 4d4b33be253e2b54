/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** Building elements from data. Text goes in as text nodes, never as HTML: nothing from the server is parsed as markup. */

type Child = Node | string | number | null | undefined | false;

/** `h('p', { class: 'x' }, 'text', h('b', {}, 'bold'))`. Attributes with `undefined` or `false` are left off. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | number | boolean | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return el;
}

/** The page's main region, below its heading. */
export function mainRegion(): HTMLElement {
  return document.getElementById('main')!;
}

/** CSS class of a banner, by the level its text starts with (html.ts has the same rule). */
export function bannerClass(banner: string): string {
  if (banner.startsWith('TOP SECRET')) return 'banner banner-ts';
  if (banner.startsWith('SECRET')) return 'banner banner-s';
  if (banner.startsWith('CONFIDENTIAL')) return 'banner banner-c';
  return banner.startsWith('UNCLASSIFIED') ? 'banner banner-u' : 'banner';
}

export function banner(text: string, testId: string): HTMLDivElement {
  return h('div', { class: bannerClass(text), 'data-testid': testId, role: 'note', 'aria-label': `Classification: ${text}` }, text);
}

/** "2 minutes 5 seconds" style, for deadlines. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return 'expired';
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m > 0 ? `${m} min ${s} s` : `${s} s`;
}
