/** The compositional rule engine: concepts that co-occur within a window of words, unless vetoed. */
import { ConceptMatcher, type ConceptHit, type Tokens } from '../concepts.ts';
import type { RedLine } from '../types.ts';

/**
 * A rule fires when one hit of every group in `all` lies within `window` words of the others and no
 * `unless` concept lies within `vetoReach` words of them. A group is a concept name or several
 * joined by '|'. Every rule carries examples that the tests replay, positive and negative.
 */
export interface Rule {
  id: string;
  category: RedLine;
  description: string;
  all: string[];
  unless?: string[];
  window: number;
  vetoReach?: number;
  score: number;
  examples: { positive: string[]; negative: string[] };
}

/** A rule over the folded text itself, for shapes words cannot express (fake chat-role tokens). */
export interface PatternRule {
  id: string;
  category: RedLine;
  description: string;
  pattern: RegExp;
  score: number;
  examples: { positive: string[]; negative: string[] };
}

export interface RuleHit {
  rule: string;
  category: RedLine;
  score: number;
  /** Char span in the view text. */
  span: [number, number];
}

const DEFAULT_VETO_REACH = 20;

function groupHits(hits: Map<string, ConceptHit[]>, group: string): ConceptHit[] {
  if (!group.includes('|')) return hits.get(group) ?? [];
  return group.split('|').flatMap((g) => hits.get(g) ?? []);
}

/** Smallest window holding one hit of every group, searched from each hit of the rarest group. */
function findSpan(groups: ConceptHit[][], window: number): [number, number] | null {
  const order = [...groups].sort((a, b) => a.length - b.length);
  const [anchor, ...others] = order;
  if (!anchor) return null;
  for (const a of anchor) {
    let lo = a.start;
    let hi = a.end;
    let ok = true;
    for (const g of others) {
      let best: ConceptHit | null = null;
      let bestDist = Infinity;
      for (const h of g) {
        const dist = Math.max(Math.abs(h.start - a.start), Math.abs(h.end - a.end));
        if (dist <= window && dist < bestDist) { best = h; bestDist = dist; }
      }
      if (!best) { ok = false; break; }
      lo = Math.min(lo, best.start);
      hi = Math.max(hi, best.end);
    }
    if (ok && hi - lo <= window + 4) return [lo, hi];
  }
  return null;
}

/** Compiled rules over one shared concept matcher. */
export class RuleSet {
  private readonly matcher: ConceptMatcher;

  constructor(
    lexicon: Readonly<Record<string, readonly string[]>>,
    readonly rules: readonly Rule[],
    readonly patterns: readonly PatternRule[],
  ) {
    this.matcher = new ConceptMatcher(lexicon);
    for (const r of rules) {
      for (const c of [...r.all, ...(r.unless ?? [])].flatMap((g) => g.split('|'))) {
        if (!(c in lexicon)) throw new Error(`rule ${r.id} names unknown concept ${c}`);
      }
    }
  }

  /** Concept hits of a view: the rules' input, and features for the classifier. */
  concepts(tokens: Tokens): Map<string, ConceptHit[]> {
    return this.matcher.match(tokens);
  }

  /** Every rule that fires on a view, with its span in the view text. */
  evaluate(text: string, tokens: Tokens, hits: Map<string, ConceptHit[]> = this.matcher.match(tokens)): RuleHit[] {
    const out: RuleHit[] = [];
    for (const r of this.rules) {
      const groups = r.all.map((g) => groupHits(hits, g));
      if (groups.some((g) => g.length === 0)) continue;
      const span = findSpan(groups, r.window);
      if (!span) continue;
      const reach = r.vetoReach ?? DEFAULT_VETO_REACH;
      const vetoed = (r.unless ?? []).some((c) =>
        groupHits(hits, c).some((h) => h.end > span[0] - reach && h.start < span[1] + reach));
      if (vetoed) continue;
      out.push({
        rule: r.id,
        category: r.category,
        score: r.score,
        span: [tokens.starts[span[0]] ?? 0, tokens.ends[span[1] - 1] ?? text.length],
      });
    }
    for (const p of this.patterns) {
      p.pattern.lastIndex = 0;
      const m = p.pattern.exec(text);
      if (m) out.push({ rule: p.id, category: p.category, score: p.score, span: [m.index, m.index + m[0].length] });
    }
    return out;
  }
}
