/** Confusable characters folded to the Latin letter they imitate (after NFKD and lower-casing). */

// Source: Unicode confusables.txt (UTS #39), restricted to the lower-case Cyrillic, Greek, Armenian
// and IPA letters that render like an ASCII letter in common fonts. Applied to every text: the
// guards support en/es/fr/de only, so folding a genuine Greek or Russian word costs nothing.
const PAIRS: ReadonlyArray<readonly [string, string]> = [
  // Cyrillic
  ['а', 'a'], ['в', 'b'], ['е', 'e'], ['ё', 'e'], ['к', 'k'], ['м', 'm'], ['н', 'h'],
  ['о', 'o'], ['р', 'p'], ['с', 'c'], ['т', 't'], ['у', 'y'], ['х', 'x'], ['ѕ', 's'], ['і', 'i'],
  ['ї', 'i'], ['ј', 'j'], ['ԁ', 'd'], ['ԛ', 'q'], ['ԝ', 'w'], ['һ', 'h'], ['ӏ', 'l'], ['ү', 'y'],
  ['ҳ', 'x'], ['ь', 'b'], ['ѡ', 'w'], ['ɡ', 'g'], ['ꞵ', 'b'],
  // Greek
  ['α', 'a'], ['β', 'b'], ['γ', 'y'], ['ε', 'e'], ['η', 'n'], ['ι', 'i'], ['κ', 'k'], ['μ', 'u'],
  ['ν', 'v'], ['ο', 'o'], ['ρ', 'p'], ['τ', 't'], ['υ', 'u'], ['χ', 'x'], ['ω', 'w'], ['ς', 'c'],
  ['ϲ', 'c'], ['ϳ', 'j'], ['ϱ', 'p'],
  // Armenian
  ['օ', 'o'], ['ս', 'u'], ['հ', 'h'], ['ո', 'n'], ['ց', 'g'], ['զ', 'q'],
  // IPA and Latin extensions
  ['ı', 'i'], ['ɑ', 'a'], ['ɩ', 'i'], ['ʟ', 'l'], ['ᴀ', 'a'], ['ʙ', 'b'], ['ᴄ', 'c'], ['ᴅ', 'd'],
  ['ᴇ', 'e'], ['ɢ', 'g'], ['ʜ', 'h'], ['ɪ', 'i'], ['ᴊ', 'j'], ['ᴋ', 'k'], ['ᴍ', 'm'], ['ɴ', 'n'],
  ['ᴏ', 'o'], ['ᴘ', 'p'], ['ʀ', 'r'], ['ꜱ', 's'], ['ᴛ', 't'], ['ᴜ', 'u'], ['ᴠ', 'v'], ['ᴡ', 'w'],
  ['ʏ', 'y'], ['ᴢ', 'z'], ['ɒ', 'a'], ['ɛ', 'e'], ['ɔ', 'c'], ['ʋ', 'u'],
];

/** Letters that are not decomposed by NFKD but have a conventional ASCII spelling. */
const LIGATURES: ReadonlyArray<readonly [string, string]> = [
  ['ß', 'ss'], ['æ', 'ae'], ['œ', 'oe'], ['ø', 'o'], ['ł', 'l'], ['đ', 'd'], ['ð', 'd'], ['þ', 'th'],
  ['ħ', 'h'], ['ŀ', 'l'],
];

export const HOMOGLYPHS: ReadonlyMap<string, string> = new Map(PAIRS);
export const LIGATURE_FOLDS: ReadonlyMap<string, string> = new Map(LIGATURES);
