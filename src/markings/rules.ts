/** The marking rules a parsed label must satisfy (markings.md table; IC register; ISM rules). */
import { MarkingError } from './errors.ts';
import type { Label } from './label.ts';
import { LEVEL_NAMES } from './levels.ts';
import { CUI_ONLY_CONTROLS, SCI_SYSTEMS, SI_GAMMA, isUcni } from './vocabulary.ts';

function fail(code: ConstructorParameters<typeof MarkingError>[0], message: string): never {
  throw new MarkingError(code, message);
}

function checkSci(label: Label): void {
  for (const path of label.sci) {
    if (path.includes('-') || path.includes(' ')) continue;
    const min = SCI_SYSTEMS.get(path) ?? 1;
    if (label.level >= min) continue;
    if (path === 'HCS') fail('HCS_REQUIRES_CONFIDENTIAL', 'HCS requires CONFIDENTIAL or higher');
    if (label.level === 0) fail('SCI_REQUIRES_CLASSIFIED', `SCI control ${path} requires a classified level, not UNCLASSIFIED`);
    fail('SCI_REQUIRES_SECRET', `${path} requires SECRET or higher, not ${LEVEL_NAMES[label.level]}`);
  }
  if (label.sci.includes(SI_GAMMA) && !label.dissem.includes('OC') && !label.dissem.includes('OC-USGOV')) {
    fail('SIG_REQUIRES_ORCON', 'SI-G (SI-GAMMA) requires ORCON');
  }
}

function checkAea(label: Label): void {
  for (const m of label.aea) {
    if (isUcni(m)) {
      if (label.level > 0) fail('UCNI_REQUIRES_UNCLASSIFIED', `${m} may only mark UNCLASSIFIED information`);
    } else if (label.level === 0) {
      fail('AEA_REQUIRES_CLASSIFIED', `${m} requires CONFIDENTIAL or higher, not UNCLASSIFIED`);
    }
  }
}

function checkDissem(label: Label): void {
  const d = label.dissem;
  if (d.includes('FOUO') && label.level > 0) fail('FOUO_REQUIRES_UNCLASSIFIED', 'FOUO may only mark UNCLASSIFIED information');
  if (d.includes('FOUO') && label.cui) fail('FOUO_WITH_CUI', 'FOUO is the legacy of CUI and may not be combined with it');
  if (d.includes('IMC') && label.level < 2) fail('IMCON_REQUIRES_SECRET', 'IMCON requires SECRET or TOP SECRET');
  if (d.includes('OC') && d.includes('OC-USGOV')) fail('ORCON_CONFLICT', 'ORCON and ORCON-USGOV may not be combined');
  for (const c of d) {
    if (CUI_ONLY_CONTROLS.has(c) && !label.cui) fail('CUI_CONTROL_REQUIRES_CUI', `${c} is a CUI limited dissemination control and requires CUI`);
  }
  if (d.includes('RELIDO')) {
    if (label.level === 0) fail('RELIDO_REQUIRES_CLASSIFIED', 'RELIDO applies to classified information only');
    if (label.noforn) fail('RELIDO_WITH_NOFORN', 'RELIDO may not be combined with NOFORN');
  }
  if (label.displayOnly) {
    if (label.level === 0) fail('DISPLAY_ONLY_REQUIRES_CLASSIFIED', 'DISPLAY ONLY applies to classified information only');
    if (label.noforn) fail('DISPLAY_ONLY_WITH_NOFORN', 'DISPLAY ONLY may not be combined with NOFORN');
  }
  if (label.noforn && label.relTo) fail('NOFORN_WITH_REL_TO', 'NOFORN and REL TO are mutually exclusive');
  if (label.relTo && label.relTo.length < 2) fail('REL_TO_USA_ONLY', 'REL TO must name a country besides USA; use NOFORN');
}

/**
 * Throws the MarkingError of the first rule the label breaks. Labels from leastUpperBound may
 * legitimately break the release rules (they display them conservatively); this is for parsing.
 */
export function assertValidLabel(label: Label): void {
  checkSci(label);
  if (label.sap.length > 0 && label.level === 0) fail('SAP_REQUIRES_CLASSIFIED', 'special access programs require a classified level');
  checkAea(label);
  if ((label.fgi.length > 0 || label.fgiConcealed) && label.level === 0) {
    fail('FGI_REQUIRES_CLASSIFIED', 'FGI markings apply to classified foreign government information only');
  }
  checkDissem(label);
}
