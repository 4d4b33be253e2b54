/** U.S.-person masking: identities become stable placeholders, also across stream chunk boundaries. */

/** A U.S. person known from corpus tags, with every way the answer might name them. */
export interface UsPersonIdentity {
  /** Opaque id for unmasking requests; defaults to "usp-N" by position. Must not reveal the identity. */
  id?: string;
  name: string;
  aliases?: string[];
  emails?: string[];
  phones?: string[];
  ssns?: string[];
}

/** Configured identifiers; each entry is its own identity unless it also appears under a person. */
export interface IdentifierLists {
  names?: string[];
  emails?: string[];
  phones?: string[];
  ssns?: string[];
}

/**
 * A request to see the identity behind a placeholder (ICPG 107.1). Approval is a policy decision
 * made elsewhere; an approved request becomes an identity id in `MaskerOptions.unmasked`.
 */
export interface UnmaskRequest {
  requester: string;
  /** The placeholder as the requester saw it, e.g. "U.S. PERSON 2". */
  placeholder: string;
  /** Resolved from the answer's identity map, never from the requester's input. */
  identityId: string;
  justification: string;
  answerId?: string;
}

export interface MaskerOptions {
  usPersons: ReadonlyArray<string | UsPersonIdentity>;
  identifiers?: IdentifierLists;
  /** Identity ids whose unmasking was approved for this caller: left as written. */
  unmasked?: Iterable<string>;
}

export interface MaskedIdentity { placeholder: string; identityId: string }

export interface Masker {
  /** Masks a chunk; returns what is safe to emit now (a possible identifier prefix is held back). */
  push(chunk: string): string;
  /** Flushes what was held back, masked. */
  end(): string;
  /** Which identity each placeholder in this answer stands for, for unmasking requests. */
  identities(): MaskedIdentity[];
}

type Pattern = { identity: number; kind: 'words' | 'email'; units: string } | { identity: number; kind: 'digits'; units: string };

const foldCache = new Map<string, string>();
/** Lower case without diacritics, one char in, one char out (chars that would expand stay as they are). */
function fold(ch: string): string {
  let f = foldCache.get(ch);
  if (f === undefined) {
    const d = ch.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
    f = d.length === 1 ? d : ch.toLowerCase();
    if (foldCache.size < 2048) foldCache.set(ch, f);
  }
  return f;
}

const isWordChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_]/u.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isWs = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);
const DIGIT_SEPARATORS = ' -.()\u00a0';

function namePatterns(name: string, identity: number): Pattern[] {
  const words = name.trim().split(/\s+/).filter(Boolean).map((w) => [...w].map(fold).join(''));
  if (words.length === 0) return [];
  const out: Pattern[] = [{ identity, kind: 'words', units: words.join(' ') }];
  // "Smith, John": the inverted form used in lists and records.
  if (words.length >= 2) out.push({ identity, kind: 'words', units: `${words[words.length - 1]}, ${words.slice(0, -1).join(' ')}` });
  return out;
}

function digitPatterns(value: string, identity: number, phone: boolean): Pattern[] {
  let digits = value.replace(/\D/g, '');
  if (phone && digits.length === 11 && digits.startsWith('1')) digits = digits.slice(1);
  if (digits.length < 7) return [];
  const out: Pattern[] = [{ identity, kind: 'digits', units: digits }];
  if (phone && digits.length === 10) out.push({ identity, kind: 'digits', units: `1${digits}` });
  return out;
}

type Match = { status: 'none' } | { status: 'partial' } | { status: 'full'; end: number };
const NONE: Match = { status: 'none' };
const PARTIAL: Match = { status: 'partial' };

/** Matches one pattern at position i; 'partial' when the text ends while it could still match. */
function matchAt(text: string, i: number, p: Pattern, final: boolean): Match {
  let j = i;
  const n = text.length;
  if (p.kind === 'digits') {
    while (j < n && (text[j] === '+' || text[j] === '(')) j++;
    for (let k = 0; k < p.units.length; k++) {
      if (k > 0) {
        let seps = 0;
        while (j < n && DIGIT_SEPARATORS.includes(text[j] as string) && seps < 3) { j++; seps++; }
      }
      if (j >= n) return final ? NONE : PARTIAL;
      if (text[j] !== p.units[k]) return NONE;
      j++;
    }
    if (j >= n) return final ? { status: 'full', end: j } : PARTIAL;
    return isDigit(text[j]) ? NONE : { status: 'full', end: j };
  }
  for (let k = 0; k < p.units.length; k++) {
    const u = p.units[k];
    if (u === ' ' && p.kind === 'words') {
      if (j >= n) return final ? NONE : PARTIAL;
      if (!isWs(text[j])) return NONE;
      while (j < n && isWs(text[j])) j++;
      continue;
    }
    if (j >= n) return final ? NONE : PARTIAL;
    if (fold(text[j] as string) !== u) return NONE;
    j++;
  }
  if (j >= n) return final ? { status: 'full', end: j } : PARTIAL;
  const next = text[j];
  return (p.kind === 'email' ? /[A-Za-z0-9_]/.test(next ?? '') : isWordChar(next)) ? NONE : { status: 'full', end: j };
}

/** Builds a masker for one answer; placeholders are numbered by first appearance in it. */
export function createMasker(options: MaskerOptions): Masker {
  const ids: string[] = [];
  const patterns: Pattern[] = [];
  const add = (id: string): number => { ids.push(id); return ids.length - 1; };
  options.usPersons.forEach((p, k) => {
    const person: UsPersonIdentity = typeof p === 'string' ? { name: p } : p;
    const identity = add(person.id ?? `usp-${k + 1}`);
    for (const n of [person.name, ...(person.aliases ?? [])]) patterns.push(...namePatterns(n, identity));
    for (const e of person.emails ?? []) patterns.push({ identity, kind: 'email', units: [...e.trim()].map(fold).join('') });
    for (const ph of person.phones ?? []) patterns.push(...digitPatterns(ph, identity, true));
    for (const s of person.ssns ?? []) patterns.push(...digitPatterns(s, identity, false));
  });
  const lists = options.identifiers ?? {};
  const listed = (kind: string, values: string[] | undefined, make: (v: string, id: number) => Pattern[]): void => {
    (values ?? []).forEach((v, k) => { patterns.push(...make(v, add(`${kind}-${k + 1}`))); });
  };
  listed('name', lists.names, namePatterns);
  listed('email', lists.emails, (v, id) => [{ identity: id, kind: 'email', units: [...v.trim()].map(fold).join('') }]);
  listed('phone', lists.phones, (v, id) => digitPatterns(v, id, true));
  listed('ssn', lists.ssns, (v, id) => digitPatterns(v, id, false));

  const byFirst = new Map<string, Pattern[]>();
  for (const p of patterns.filter((x) => x.units.length > 0)) {
    const keys = p.kind === 'digits' ? [p.units[0] as string, '(', '+'] : [p.units[0] as string];
    for (const key of keys) byFirst.set(key, [...(byFirst.get(key) ?? []), p]);
  }
  const unmasked = new Set(options.unmasked ?? []);
  const placeholders = new Map<number, string>();
  let buffer = '';
  let lastChar: string | undefined;

  const replacement = (identity: number, original: string): string => {
    if (unmasked.has(ids[identity] as string)) return original;
    let ph = placeholders.get(identity);
    if (!ph) { ph = `U.S. PERSON ${placeholders.size + 1}`; placeholders.set(identity, ph); }
    return ph;
  };

  const process = (final: boolean): string => {
    let out = '';
    let i = 0;
    const text = buffer;
    while (i < text.length) {
      const c = text[i] as string;
      const prev = i === 0 ? lastChar : text[i - 1];
      const candidates = byFirst.get(fold(c));
      if (candidates) {
        let partial = false;
        let best: { end: number; identity: number } | null = null;
        for (const p of candidates) {
          const boundaryOk = !isWordChar(prev);
          if (!boundaryOk) continue;
          const m = matchAt(text, i, p, final);
          if (m.status === 'partial') partial = true;
          else if (m.status === 'full' && (!best || m.end > best.end)) best = { end: m.end, identity: p.identity };
        }
        // Leftmost-longest: while a longer identifier could still start here, hold from here.
        if (partial && !final) break;
        if (best) {
          out += replacement(best.identity, text.slice(i, best.end));
          lastChar = text[best.end - 1];
          i = best.end;
          continue;
        }
      }
      // Never emit half of a surrogate pair.
      if (!final && i === text.length - 1 && /[\uD800-\uDBFF]/.test(c)) break;
      out += c;
      lastChar = c;
      i++;
    }
    buffer = text.slice(i);
    return out;
  };

  return {
    push(chunk: string): string {
      buffer += chunk;
      return process(false);
    },
    end(): string {
      return process(true);
    },
    identities(): MaskedIdentity[] {
      return [...placeholders].map(([identity, placeholder]) => ({ placeholder, identityId: ids[identity] as string }));
    },
  };
}

/** Masks a whole (non-streamed) answer. */
export function maskText(text: string, options: MaskerOptions): { text: string; identities: MaskedIdentity[] } {
  const m = createMasker(options);
  const out = m.push(text) + m.end();
  return { text: out, identities: m.identities() };
}
