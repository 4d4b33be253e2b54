/** fast-check generators of valid, canonical labels, for the markings property tests. */
import fc from 'fast-check';
import { makeLabel, type Label, type LabelParts } from './label.ts';
import type { Level } from './levels.ts';
import { assertValidLabel } from './rules.ts';
import type { AeaMarking, DissemControl, NonIcControl } from './vocabulary.ts';

const SCI = ['SI', 'SI-G', 'SI-G ABCD', 'SI-G EFGH', 'SI-ECI XYZ', 'TK', 'TK-BLFH', 'HCS', 'HCS-O', 'HCS-P QQQ', 'KDK', 'KDK-BLFH', 'RSV', 'RSV-XYZ'];
const SAP = ['BP', 'XY', 'TRIGGER FISH', 'A1-B2'];
const FOREIGN = ['AUS', 'CAN', 'GBR', 'NZL', 'DEU', 'FRA', 'JPN', 'KOR', 'AFG', 'IRQ', 'NOR', 'POL'];
const REL_CODES = [...FOREIGN, 'FVEY', 'NATO', 'ACGU'];
const DISSEM: DissemControl[] = ['RS', 'FOUO', 'OC', 'OC-USGOV', 'IMC', 'PR', 'RELIDO', 'DSEN', 'FISA'];
const CUI_LDC: DissemControl[] = ['FED ONLY', 'FEDCON', 'NOCON', 'DL ONLY', 'ATTORNEY-CLIENT', 'ATTORNEY-WP'];
const NON_IC: NonIcControl[] = ['DS', 'XD', 'ND', 'SBU', 'LES', 'SSI'];

const genes = fc.record({
  level: fc.constantFrom<Level>(0, 1, 2, 3),
  form: fc.constantFrom('US', 'US', 'US', 'US', 'US', 'FOREIGN', 'JOINT'),
  owner: fc.constantFrom('DEU', 'GBR', 'FGI', 'NATO'),
  jointOwners: fc.subarray(FOREIGN, { minLength: 1, maxLength: 3 }),
  sci: fc.subarray(SCI, { maxLength: 4 }),
  sap: fc.subarray(SAP, { maxLength: 2 }),
  rd: fc.constantFrom<AeaMarking | null>(null, null, 'RD', 'RD-CNWDI', 'FRD'),
  tfni: fc.boolean(),
  ucni: fc.subarray<AeaMarking>(['DOD UCNI', 'DOE UCNI']),
  fgi: fc.oneof(fc.constant(null), fc.constant('concealed' as const), fc.subarray([...FOREIGN, 'NATO'], { minLength: 1, maxLength: 3 })),
  dissem: fc.subarray(DISSEM, { maxLength: 4 }),
  cuiLdc: fc.subarray(CUI_LDC, { maxLength: 2 }),
  release: fc.oneof(fc.constant('none' as const), fc.constant('nf' as const), fc.subarray(REL_CODES, { minLength: 1, maxLength: 4 })),
  displayOnly: fc.option(fc.subarray(FOREIGN, { minLength: 1, maxLength: 3 })),
  nonIc: fc.subarray(NON_IC, { maxLength: 2 }),
  cui: fc.option(fc.subarray(['SP-PRVCY', 'SP-CTI', 'CTI', 'EXPT', 'PRVCY'], { maxLength: 2 })),
});

type Genes = typeof genes extends fc.Arbitrary<infer G> ? G : never;

/** Turns random genes into a label that satisfies every marking rule (and asserts it does). */
function build(g: Genes): Label {
  const classified = g.level > 0;
  const foreign = classified && g.form !== 'US';
  const parts: LabelParts & { dissem: DissemControl[] } = { level: g.level, dissem: [...g.dissem] };
  if (foreign && g.form === 'FOREIGN') {
    parts.origin = 'FOREIGN';
    if (g.owner === 'FGI') parts.fgiConcealed = true;
    else parts.fgi = [g.owner];
  } else if (foreign) {
    parts.origin = 'JOINT';
    parts.fgi = g.jointOwners;
  } else if (classified) {
    parts.sci = g.sci.filter((p) => g.level >= 2 || !(p.startsWith('KDK') || p.startsWith('RSV')));
    parts.sap = g.sap;
    parts.aea = [...(g.rd ? [g.rd] : []), ...(g.tfni ? ['TFNI' as const] : [])];
    if (g.fgi === 'concealed') parts.fgiConcealed = true;
    else if (g.fgi) parts.fgi = g.fgi;
  } else {
    parts.aea = g.ucni;
    parts.cui = g.cui;
  }
  const drop = (d: DissemControl) => { parts.dissem = parts.dissem.filter((x) => x !== d); };
  if (classified || parts.cui) drop('FOUO');
  if (g.level < 2) drop('IMC');
  if (!classified) drop('RELIDO');
  if (parts.dissem.includes('OC')) drop('OC-USGOV');
  if (parts.cui) parts.dissem.push(...g.cuiLdc);
  const sci = [...(parts.sci ?? [])];
  if (sci.some((p) => p === 'SI-G' || p.startsWith('SI-G ')) && !parts.dissem.includes('OC') && !parts.dissem.includes('OC-USGOV')) parts.dissem.push('OC');
  if (g.release === 'nf') {
    parts.noforn = true;
    drop('RELIDO');
  } else if (g.release !== 'none') {
    parts.relTo = g.release;
  }
  if (classified && !parts.noforn) parts.displayOnly = g.displayOnly;
  parts.nonIc = g.nonIc;
  const label = makeLabel(parts);
  assertValidLabel(label);
  return label;
}

/** Any valid label, as parseMarking could return it. */
export const arbitraryLabel: fc.Arbitrary<Label> = genes.map(build);

/** Valid US labels without FGI, CUI, DISPLAY ONLY or dissemination controls (bar the ORCON SI-G needs). */
export const arbitraryAccessLabel: fc.Arbitrary<Label> = genes.map((g) => build({
  ...g, form: 'US', fgi: null, dissem: [], cuiLdc: [], displayOnly: null, nonIc: [], cui: null,
}));
