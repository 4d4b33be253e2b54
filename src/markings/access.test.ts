/** checkAccess and policyControls: the access rules of docs/markings.md, case by case. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCESS_RULES, checkAccess, parseMarking, policyControls, type AccessRule } from './index.ts';

function decide(clearance: string, item: string, nationality = 'USA') {
  return checkAccess({ label: parseMarking(clearance), nationality }, parseMarking(item));
}

function assertDenied(clearance: string, item: string, nationality: string, rule: AccessRule): void {
  const d = decide(clearance, item, nationality);
  assert.equal(d.allowed, false, `${clearance} / ${nationality} should not see ${item}`);
  if (!d.allowed) {
    assert.equal(d.rule, rule, d.reason);
    assert.ok(d.reason.length > 0);
  }
}

describe('checkAccess', () => {
  describe('when the principal is a U.S. national', () => {
    it('allows what the clearance dominates, whatever its release markings', () => {
      for (const item of ['(TS//SI//NF)', '(S//REL TO USA, GBR)', '(S)', '(U//FOUO)', '(//DEU S)', '(C//RD)']) {
        assert.deepEqual(decide('TOP SECRET//SI//RD', item), { allowed: true }, item);
      }
    });

    it('denies reading up in level, SCI, SAP and AEA', () => {
      assertDenied('SECRET', '(TS)', 'USA', ACCESS_RULES.level);
      assertDenied('TS//SI', '(TS//SI-G ABCD//OC)', 'USA', ACCESS_RULES.sci);
      assertDenied('TS//SI-G//OC', '(TS//SI-G ABCD//OC)', 'USA', ACCESS_RULES.sci);
      assertDenied('TS//SI', '(TS//TK)', 'USA', ACCESS_RULES.sci);
      assertDenied('TS//SAR-BP', '(S//SAR-XY)', 'USA', ACCESS_RULES.sap);
      assertDenied('TS//FRD', '(S//RD)', 'USA', ACCESS_RULES.aea);
      assertDenied('UNCLASSIFIED', '(U//DOD UCNI)', 'USA', ACCESS_RULES.aea);
    });

    it('lets RD access cover FRD, and a classified clearance cover UCNI', () => {
      assert.equal(decide('SECRET//RD', '(C//FRD)').allowed, true);
      assert.equal(decide('CONFIDENTIAL', '(U//DOE UCNI)').allowed, true);
    });

    it('never names the missing compartment or program', () => {
      const d = decide('TS//SI', '(TS//SI-G SECRETSUB//OC)');
      assert.ok(!d.allowed && !d.reason.includes('SECRETSUB') && !d.reason.includes('SI-G'));
      const s = decide('TS', '(S//SAR-CODEWORD)');
      assert.ok(!s.allowed && !s.reason.includes('CODEWORD'));
    });
  });

  describe('when the principal is a foreign national', () => {
    it('allows items REL TO their country, directly or through a group', () => {
      assert.equal(decide('TS', '(S//REL TO USA, GBR)', 'GBR').allowed, true);
      assert.equal(decide('TS', '(S//REL TO USA, FVEY)', 'GBR').allowed, true);
      assert.equal(decide('TS', '(S//REL TO USA, NATO)', 'DEU').allowed, true);
      assert.equal(decide('TS', '(S//REL TO USA, FVEY)', 'gbr').allowed, true);
    });

    it('allows unclassified items that carry no NOFORN', () => {
      assert.equal(decide('UNCLASSIFIED', '(U)', 'AFG').allowed, true);
      assert.equal(decide('UNCLASSIFIED', '(U//FOUO)', 'AFG').allowed, true);
    });

    it('denies NOFORN, unmarked classified and items not released to them', () => {
      assertDenied('TS', '(S//NF)', 'GBR', ACCESS_RULES.noforn);
      assertDenied('TS', '(U//NF)', 'GBR', ACCESS_RULES.noforn);
      assertDenied('TS', '(CUI//NOFORN)', 'GBR', ACCESS_RULES.noforn);
      assertDenied('TS', '(S)', 'GBR', ACCESS_RULES.usOnly);
      assertDenied('TS', '(//DEU S)', 'DEU', ACCESS_RULES.usOnly);
      assertDenied('TS', '(S//REL TO USA, AUS)', 'GBR', ACCESS_RULES.relTo);
      assertDenied('TS', '(U//REL TO USA, AUS)', 'GBR', ACCESS_RULES.relTo);
      assertDenied('TS', '(S//REL TO USA, FVEY)', 'DEU', ACCESS_RULES.relTo);
    });

    it('applies the lattice before releasability', () => {
      assertDenied('C', '(S//REL TO USA, GBR)', 'GBR', ACCESS_RULES.level);
    });

    it('does not let DISPLAY ONLY or RELIDO grant access; they are policy decisions', () => {
      assertDenied('TS', '(S//DISPLAY ONLY AFG)', 'AFG', ACCESS_RULES.usOnly);
      assertDenied('TS', '(S//RELIDO)', 'GBR', ACCESS_RULES.usOnly);
    });
  });

  it('fails closed on an unknown nationality', () => {
    for (const n of ['', 'XXX', 'US', 'FVEY', 'USA ']) assertDenied('TS', '(U)', n, ACCESS_RULES.nationality);
    const d = checkAccess({ label: parseMarking('TS'), nationality: 7 as unknown as string }, parseMarking('U'));
    assert.equal(d.allowed, false);
  });

  it('does not deny on ORCON, PROPIN, IMCON, FISA or DISPLAY ONLY', () => {
    assert.equal(decide('TS', '(TS//OC/IMC/PR/FISA/DISPLAY ONLY AFG)').allowed, true);
  });
});

describe('policyControls', () => {
  it('lists the non-lattice controls in canonical order, banner forms', () => {
    assert.deepEqual(policyControls(parseMarking('TS//SI-G//RS/OC/IMC/PR/REL TO USA, GBR/RELIDO/DSEN/FISA/DISPLAY ONLY AFG//LIMDIS/LES')),
      ['RSEN', 'ORCON', 'IMCON', 'PROPIN', 'RELIDO', 'DSEN', 'FISA', 'DISPLAY ONLY', 'LIMDIS', 'LES']);
    assert.deepEqual(policyControls(parseMarking('CUI//SP-PRVCY//NOFORN/FEDCON/ATTORNEY-WP')), ['FEDCON', 'ATTORNEY-WP']);
    assert.deepEqual(policyControls(parseMarking('S//OC-USGOV')), ['ORCON-USGOV']);
  });

  it('leaves out FOUO, NOFORN and REL TO, which are not policy decisions', () => {
    assert.deepEqual(policyControls(parseMarking('U//FOUO')), []);
    assert.deepEqual(policyControls(parseMarking('S//NF')), []);
    assert.deepEqual(policyControls(parseMarking('S//REL TO USA, GBR')), []);
  });
});
