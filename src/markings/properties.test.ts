/** Property tests: the roll-up is the lattice join, dominance a partial order, markings round-trip. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  checkAccess, dominates, formatBanner, formatPortion, leastUpperBound, parseMarking, UNCLASSIFIED, type Label,
} from './index.ts';
import { makeLabel, labelsEqual } from './label.ts';
import { arbitraryAccessLabel, arbitraryLabel } from './label-arbitrary.ts';
import { isOpenRelease, isUsOnly } from './lattice.ts';

const labels = fc.array(arbitraryLabel, { maxLength: 5 });
const NATIONALITIES = ['USA', 'GBR', 'AUS', 'DEU', 'JPN', 'AFG'];

/** The point of the access lattice a label stands for: level, categories and NOT-REL bits. */
function latticePoint(l: Label): string {
  const aea = l.level > 0 ? l.aea.filter((m) => !m.endsWith('UCNI')) : l.aea;
  const release = isUsOnly(l) ? 'none' : isOpenRelease(l) ? 'all' : l.relTo!.join(',');
  return JSON.stringify([l.level, l.sci, l.sap, aea, release]);
}

function equal(a: Label, b: Label): boolean {
  return labelsEqual(a, b);
}

/** A clearance as a lattice label: a U.S. national holds every NOT-REL bit, others all but their own. */
function asLatticeClearance(c: Label, nationality: string): Label {
  const base = { ...c, displayOnly: null };
  return nationality === 'USA'
    ? makeLabel({ ...base, relTo: null, noforn: true })
    : makeLabel({ ...base, relTo: [nationality], noforn: false });
}

describe('leastUpperBound', () => {
  it('is an upper bound of each input', () => {
    fc.assert(fc.property(labels, (xs) => {
      const lub = leastUpperBound(xs);
      for (const x of xs) assert.ok(dominates(lub, x), `${formatBanner(lub)} should dominate ${formatBanner(x)}`);
    }));
  });

  it('is the least upper bound: a label dominating every input dominates it', () => {
    fc.assert(fc.property(labels, labels, (xs, ys) => {
      const above = leastUpperBound([...xs, ...ys]);
      assert.ok(dominates(above, leastUpperBound(xs)));
    }));
    fc.assert(fc.property(labels, arbitraryLabel, (xs, c) => {
      fc.pre(xs.every((x) => dominates(c, x)));
      assert.ok(dominates(c, leastUpperBound(xs)));
    }));
  });

  it('is commutative', () => {
    fc.assert(fc.property(arbitraryLabel, arbitraryLabel, (a, b) => {
      assert.ok(equal(leastUpperBound([a, b]), leastUpperBound([b, a])));
    }));
    fc.assert(fc.property(labels.chain((xs) => fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length }))), ([xs, shuffled]) => {
      assert.ok(equal(leastUpperBound(xs), leastUpperBound(shuffled)));
    }));
  });

  it('is associative, and the n-ary roll-up is the fold of the binary one', () => {
    fc.assert(fc.property(arbitraryLabel, arbitraryLabel, arbitraryLabel, (a, b, c) => {
      const left = leastUpperBound([leastUpperBound([a, b]), c]);
      const right = leastUpperBound([a, leastUpperBound([b, c])]);
      assert.ok(equal(left, right), `${formatBanner(left)} != ${formatBanner(right)}`);
      assert.ok(equal(left, leastUpperBound([a, b, c])));
    }));
  });

  it('is idempotent, with UNCLASSIFIED as identity', () => {
    fc.assert(fc.property(arbitraryLabel, labels, (a, xs) => {
      assert.ok(equal(leastUpperBound([a, a]), a));
      assert.ok(equal(leastUpperBound([a, UNCLASSIFIED]), a));
      assert.ok(equal(leastUpperBound([...xs, ...xs]), leastUpperBound(xs)));
    }));
  });

  it('agrees with dominance: a dominates b iff their roll-up is a (in the lattice)', () => {
    fc.assert(fc.property(arbitraryLabel, arbitraryLabel, (a, b) => {
      assert.equal(dominates(a, b), latticePoint(leastUpperBound([a, b])) === latticePoint(a));
    }));
  });

  it('yields banners that re-parse to the same lattice point and are a fixed point of formatting', () => {
    fc.assert(fc.property(labels, (xs) => {
      const lub = leastUpperBound(xs);
      const again = parseMarking(formatBanner(lub));
      assert.equal(latticePoint(again), latticePoint(lub));
      assert.equal(formatBanner(again), formatBanner(lub));
      assert.equal(formatPortion(parseMarking(formatPortion(lub))), formatPortion(lub));
    }));
  });
});

describe('dominates', () => {
  it('is reflexive', () => {
    fc.assert(fc.property(arbitraryLabel, (a) => assert.ok(dominates(a, a))));
  });

  it('is antisymmetric on lattice points', () => {
    fc.assert(fc.property(arbitraryLabel, arbitraryLabel, (a, b) => {
      if (dominates(a, b) && dominates(b, a)) assert.equal(latticePoint(a), latticePoint(b));
    }));
    fc.assert(fc.property(arbitraryLabel, arbitraryLabel, (a, b) => {
      const lub = leastUpperBound([a, b]);
      if (dominates(a, lub)) assert.equal(latticePoint(a), latticePoint(lub));
    }));
  });

  it('is transitive', () => {
    fc.assert(fc.property(arbitraryLabel, arbitraryLabel, arbitraryLabel, (a, b, c) => {
      if (dominates(a, b) && dominates(b, c)) assert.ok(dominates(a, c));
    }));
    fc.assert(fc.property(arbitraryLabel, arbitraryLabel, arbitraryLabel, (x, y, c) => {
      const b = leastUpperBound([c, x]);
      const a = leastUpperBound([b, y]);
      assert.ok(dominates(a, b) && dominates(b, c) && dominates(a, c));
    }));
  });

  it('puts UNCLASSIFIED at the bottom', () => {
    fc.assert(fc.property(arbitraryLabel, (a) => assert.ok(dominates(a, UNCLASSIFIED))));
  });
});

describe('formatting', () => {
  it('round-trips every valid label through the banner and the portion mark', () => {
    fc.assert(fc.property(arbitraryLabel, (x) => {
      assert.deepEqual(parseMarking(formatBanner(x)), x);
      assert.deepEqual(parseMarking(formatPortion(x)), x);
    }), { numRuns: 300 });
  });

  it('tolerates case and whitespace', () => {
    fc.assert(fc.property(arbitraryLabel, fc.boolean(), (x, lower) => {
      const text = formatBanner(x).replace(/\/\//g, ' // ').replace(/, /g, ' ,  ');
      assert.ok(labelsEqual(parseMarking(lower ? text.toLowerCase() : text), x));
    }));
  });
});

describe('checkAccess', () => {
  it('agrees with dominance for U.S. nationals', () => {
    fc.assert(fc.property(arbitraryAccessLabel, arbitraryAccessLabel, (c, item) => {
      const allowed = checkAccess({ label: c, nationality: 'USA' }, item).allowed;
      assert.equal(allowed, dominates(asLatticeClearance(c, 'USA'), item));
    }));
    fc.assert(fc.property(arbitraryAccessLabel, arbitraryAccessLabel, (x, item) => {
      const c = leastUpperBound([x, item]);
      assert.equal(checkAccess({ label: c, nationality: 'USA' }, item).allowed, true);
    }));
  });

  it('is dominance by the nationality\'s NOT-REL bits, for any nationality and any label', () => {
    fc.assert(fc.property(arbitraryLabel, arbitraryLabel, fc.constantFrom(...NATIONALITIES), (c, item, n) => {
      assert.equal(checkAccess({ label: c, nationality: n }, item).allowed, dominates(asLatticeClearance(c, n), item));
    }));
  });

  it('allows a roll-up exactly when it allows every portion', () => {
    fc.assert(fc.property(arbitraryLabel, labels, fc.constantFrom(...NATIONALITIES), (c, xs, n) => {
      const clearance = { label: c, nationality: n };
      assert.equal(checkAccess(clearance, leastUpperBound(xs)).allowed, xs.every((x) => checkAccess(clearance, x).allowed));
    }));
  });

  it('carries a rule and a reason on every denial', () => {
    fc.assert(fc.property(arbitraryLabel, arbitraryLabel, fc.constantFrom(...NATIONALITIES), (c, item, n) => {
      const d = checkAccess({ label: c, nationality: n }, item);
      if (!d.allowed) assert.ok(d.rule.length > 0 && d.reason.length > 0);
    }));
  });
});
