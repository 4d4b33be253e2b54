/** Test vectors: the worked examples of docs/markings.md, then our own valid and invalid markings. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatBanner, formatPortion, leastUpperBound, MarkingError, parseMarking, UNCLASSIFIED, type MarkingErrorCode,
} from './index.ts';

function rollUp(portions: string[]): string {
  return formatBanner(leastUpperBound(portions.map(parseMarking)));
}

describe('roll-up', () => {
  // Source: docs/markings.md, "Worked examples (portions -> banner)", rows 1-10.
  const WORKED: Array<[number, string[], string]> = [
    [1, ['(U)', '(C)', '(S)'], 'SECRET'],
    [2, ['(U//FOUO)', '(U)'], 'UNCLASSIFIED//FOUO'],
    [3, ['(U//FOUO)', '(C)'], 'CONFIDENTIAL'],
    [4, ['(TS//SI//NF)', '(S//NF)', '(U)'], 'TOP SECRET//SI//NOFORN'],
    [5, ['(TS//SI-G//OC/NF)', '(TS//TK//NF)', '(S//REL TO USA, FVEY)'], 'TOP SECRET//SI-G/TK//ORCON/NOFORN'],
    [6, ['(S//REL TO USA, AUS, GBR)', '(S//REL TO USA, GBR)', '(U)'], 'SECRET//REL TO USA, GBR'],
    [7, ['(S//REL TO USA, FVEY)', '(C//REL TO USA, AUS, CAN)'], 'SECRET//REL TO USA, AUS, CAN'],
    [8, ['(S//REL TO USA, GBR)', '(C//NF)'], 'SECRET//NOFORN'],
    [9, ['(S//REL TO USA, GBR)', '(S)'], 'SECRET'],
    [10, ['(//DEU S)', '(S//RD)', '(C//NF)'], 'SECRET//RD//FGI DEU//NOFORN'],
  ];
  for (const [n, portions, banner] of WORKED) {
    it(`worked example ${n}: ${portions.join(' ')} -> ${banner}`, () => assert.equal(rollUp(portions), banner));
  }

  // Our vectors, each applying one rule of the markings.md roll-up section.
  const OURS: Array<[string, string[], string]> = [
    ['RD absorbs FRD', ['(S//FRD)', '(C//RD)'], 'SECRET//RD'],
    ['RD-CNWDI absorbs RD', ['(S//RD-CNWDI)', '(S//RD/TFNI)'], 'SECRET//RD-CNWDI/TFNI'],
    ['a concealed FGI source gives bare FGI', ['(S//FGI DEU)', '(//FGI C)'], 'SECRET//FGI'],
    ['FGI countries unite', ['(//GBR S)', '(//DEU C)'], 'SECRET//FGI DEU GBR'],
    ['portions of one foreign owner keep its marking', ['(//DEU S//REL TO USA, DEU)', '(//DEU C//REL TO USA, DEU)', '(U)'], '//DEU SECRET//REL TO USA, DEU'],
    ['RELIDO only if every classified portion has it', ['(S//RELIDO)', '(C)'], 'SECRET'],
    ['RELIDO kept when every classified portion has it', ['(S//RELIDO)', '(C//REL TO USA, GBR/RELIDO)', '(U)'], 'SECRET//RELIDO'],
    ['OC-USGOV only if every OC portion has it', ['(S//OC-USGOV)', '(C//OC)'], 'SECRET//ORCON'],
    ['OC-USGOV kept when no portion is plain OC', ['(S//OC-USGOV)', '(C)'], 'SECRET//ORCON-USGOV'],
    ['an empty REL TO intersection is NOFORN', ['(S//REL TO USA, GBR)', '(S//REL TO USA, AUS)'], 'SECRET//NOFORN'],
    ['NOFORN drops RELIDO', ['(S//REL TO USA, GBR/RELIDO)', '(S//REL TO USA, AUS/RELIDO)'], 'SECRET//NOFORN'],
    ['unclassified REL TO intersects', ['(U//REL TO USA, GBR)', '(U)'], 'UNCLASSIFIED//REL TO USA, GBR'],
    ['NATO and FVEY intersect', ['(S//REL TO USA, NATO)', '(S//REL TO USA, FVEY)'], 'SECRET//REL TO USA, CAN, GBR'],
    ['controls unite in canonical order', ['(S//PR)', '(TS//IMC/FISA)', '(C//RS)'], 'TOP SECRET//RSEN/IMCON/PROPIN/FISA'],
    ['CUI drops from classified banners', ['(CUI//SP-PRVCY//FEDCON)', '(S)'], 'SECRET'],
    ['CUI categories unite', ['(CUI//SP-PRVCY)', '(CUI//CTI//NF)'], 'CUI//SP-PRVCY/CTI//NOFORN'],
    ['CUI supersedes FOUO', ['(CUI)', '(U//FOUO)'], 'CUI'],
    ['UCNI drops from classified banners', ['(U//DOD UCNI)', '(C)'], 'CONFIDENTIAL'],
    ['SAPs and SCI compartments unite', ['(TS//SI-G ABCD//SAR-BP//OC)', '(S//SI-G EFGH/TK//SAR-AB//OC)'], 'TOP SECRET//SI-G ABCD EFGH/TK//SAR-AB/SAR-BP//ORCON'],
    ['DISPLAY ONLY lists intersect', ['(S//DISPLAY ONLY AFG, IRQ)', '(S//DISPLAY ONLY IRQ)'], 'SECRET//DISPLAY ONLY IRQ'],
    ['non-IC controls unite', ['(S//DS)', '(C//XD)'], 'SECRET//LIMDIS/EXDIS'],
  ];
  for (const [rule, portions, banner] of OURS) {
    it(`${rule}: ${portions.join(' ')} -> ${banner}`, () => assert.equal(rollUp(portions), banner));
  }

  it('rolls up nothing to UNCLASSIFIED', () => assert.equal(leastUpperBound([]), UNCLASSIFIED));
});

describe('parseMarking', () => {
  describe('when the marking is valid', () => {
    // [input, canonical banner, canonical portion]; rules from the markings.md grammar table.
    const VALID: Array<[string, string, string]> = [
      ['TOP SECRET//SI-G/TK//ORCON/NOFORN', 'TOP SECRET//SI-G/TK//ORCON/NOFORN', '(TS//SI-G/TK//OC/NF)'],
      ['(TS//SI//NF)', 'TOP SECRET//SI//NOFORN', '(TS//SI//NF)'],
      ['TS//SI//NF', 'TOP SECRET//SI//NOFORN', '(TS//SI//NF)'],
      ['  ( s // nf )  ', 'SECRET//NOFORN', '(S//NF)'],
      ['ts // si - g  abcd - mmm // oc', 'TOP SECRET//SI-G ABCD-MMM//ORCON', '(TS//SI-G ABCD-MMM//OC)'],
      ['secret//rel to usa,gbr', 'SECRET//REL TO USA, GBR', '(S//REL TO USA, GBR)'],
      ['(U//FOUO)', 'UNCLASSIFIED//FOUO', '(U//FOUO)'],
      ['UNCLASSIFIED', 'UNCLASSIFIED', '(U)'],
      ['CONFIDENTIAL//REL TO USA, FVEY', 'CONFIDENTIAL//REL TO USA, AUS, CAN, GBR, NZL', '(C//REL TO USA, AUS, CAN, GBR, NZL)'],
      ['(//DEU S)', '//DEU SECRET', '(//DEU S)'],
      ['//GBR TOP SECRET//REL TO USA, GBR', '//GBR TOP SECRET//REL TO USA, GBR', '(//GBR TS//REL TO USA, GBR)'],
      ['//JOINT SECRET CAN GBR USA', '//JOINT SECRET CAN GBR USA', '(//JOINT S CAN GBR USA)'],
      ['(//FGI C)', '//FGI CONFIDENTIAL', '(//FGI C)'],
      ['SECRET//FGI DEU GBR//NOFORN', 'SECRET//FGI DEU GBR//NOFORN', '(S//FGI DEU GBR//NF)'],
      ['SECRET//FGI//NOFORN', 'SECRET//FGI//NOFORN', '(S//FGI//NF)'],
      ['SECRET//SPECIAL ACCESS REQUIRED-BP//NOFORN', 'SECRET//SAR-BP//NOFORN', '(S//SAR-BP//NF)'],
      ['TS//SI-GAMMA ABCD//ORCON', 'TOP SECRET//SI-G ABCD//ORCON', '(TS//SI-G ABCD//OC)'],
      ['TS//HCS-O-P XYZ/KDK/RSV/SI-G ABCD DEFG-MMM AACD/TK//OC/NF', 'TOP SECRET//HCS-O-P XYZ/KDK/RSV/SI-G ABCD DEFG-MMM AACD/TK//ORCON/NOFORN', '(TS//HCS-O-P XYZ/KDK/RSV/SI-G ABCD DEFG-MMM AACD/TK//OC/NF)'],
      ['SECRET//RESTRICTED DATA-CRITICAL NUCLEAR WEAPON DESIGN INFORMATION', 'SECRET//RD-CNWDI', '(S//RD-CNWDI)'],
      ['(C//FRD/TFNI)', 'CONFIDENTIAL//FRD/TFNI', '(C//FRD/TFNI)'],
      ['(U//DOE UCNI)', 'UNCLASSIFIED//DOE UCNI', '(U//DOE UCNI)'],
      ['(S//RS/OC-USGOV/IMC/NF/PR/DSEN/FISA)', 'SECRET//RSEN/ORCON-USGOV/IMCON/NOFORN/PROPIN/DSEN/FISA', '(S//RS/OC-USGOV/IMC/NF/PR/DSEN/FISA)'],
      ['SECRET//REL TO USA, AUS, NATO/RELIDO/DISPLAY ONLY AFG, IRQ', `SECRET//REL TO USA, ${'ALB AUS BEL BGR CAN CZE DEU DNK ESP EST FIN FRA GBR GRC HRV HUN ISL ITA LTU LUX LVA MKD MNE NLD NOR POL PRT ROU SVK SVN SWE TUR'.split(' ').join(', ')}/RELIDO/DISPLAY ONLY AFG, IRQ`, ''],
      ['SECRET//NOFORN//LIMDIS/SBU', 'SECRET//NOFORN//LIMDIS/SBU', '(S//NF//DS/SBU)'],
      ['(CUI)', 'CUI', '(CUI)'],
      ['CUI//SP-PRVCY/CTI//NOFORN/FEDCON', 'CUI//SP-PRVCY/CTI//NOFORN/FEDCON', '(CUI//SP-PRVCY/CTI//NF/FEDCON)'],
      ['CUI//REL TO USA, GBR', 'CUI//REL TO USA, GBR', '(CUI//REL TO USA, GBR)'],
      ['TOP SECRET//NOT RELEASABLE TO FOREIGN NATIONALS', 'TOP SECRET//NOFORN', '(TS//NF)'],
    ];
    for (const [input, banner, portion] of VALID) {
      it(`reads ${input}`, () => {
        const label = parseMarking(input);
        assert.equal(formatBanner(label), banner);
        if (portion) assert.equal(formatPortion(label), portion);
        assert.deepEqual(parseMarking(formatBanner(label)), label);
        assert.deepEqual(parseMarking(formatPortion(label)), label);
      });
    }

    it('expands groups and keeps USA first', () => {
      assert.deepEqual(parseMarking('(S//REL TO USA, FVEY)').relTo, ['USA', 'AUS', 'CAN', 'GBR', 'NZL']);
    });

    it('closes SCI and AEA sets', () => {
      const label = parseMarking('TS//SI-G ABCD//RD-CNWDI//OC');
      assert.deepEqual(label.sci, ['SI', 'SI-G', 'SI-G ABCD']);
      assert.deepEqual(label.aea, ['RD-CNWDI', 'RD', 'FRD']);
    });
  });

  describe('when the marking breaks a rule', () => {
    // [input, code]; the rule each breaks is in the markings.md table or the IC register.
    const INVALID: Array<[string, MarkingErrorCode]> = [
      ['', 'EMPTY_MARKING'],
      ['()', 'EMPTY_MARKING'],
      ['(S//NF', 'UNBALANCED_PARENTHESES'],
      ['SECRET//NF/REL TO USA, GBR', 'NOFORN_WITH_REL_TO'],
      ['(TS//SI-G//NF)', 'SIG_REQUIRES_ORCON'],
      ['(U//RD)', 'AEA_REQUIRES_CLASSIFIED'],
      ['(U//FRD)', 'AEA_REQUIRES_CLASSIFIED'],
      ['(U//HCS)', 'HCS_REQUIRES_CONFIDENTIAL'],
      ['(C//KDK)', 'SCI_REQUIRES_SECRET'],
      ['(C//RSV-ABC)', 'SCI_REQUIRES_SECRET'],
      ['(U//SI)', 'SCI_REQUIRES_CLASSIFIED'],
      ['(S//DOD UCNI)', 'UCNI_REQUIRES_UNCLASSIFIED'],
      ['(C//IMC)', 'IMCON_REQUIRES_SECRET'],
      ['(S//XYZZY)', 'UNKNOWN_TOKEN'],
      ['(S//NF//SI)', 'CATEGORY_ORDER'],
      ['(S//NF/OC)', 'TOKEN_ORDER'],
      ['(TS//TK/SI)', 'TOKEN_ORDER'],
      ['(S//NF/NF)', 'DUPLICATE_TOKEN'],
      ['(S//SI//TK)', 'DUPLICATE_CATEGORY'],
      ['(S//SI/NF)', 'MISPLACED_TOKEN'],
      ['S/NF', 'BAD_SEPARATOR'],
      ['S///NF', 'BAD_SEPARATOR'],
      ['S////NF', 'EMPTY_CATEGORY'],
      ['S//', 'EMPTY_CATEGORY'],
      ['NOFORN', 'MISSING_CLASSIFICATION'],
      ['(S//REL TO GBR, USA)', 'REL_TO_USA_FIRST'],
      ['(S//REL TO USA, GBR, AUS)', 'REL_TO_ORDER'],
      ['(S//REL TO USA, FVEY, GBR)', 'REL_TO_ORDER'],
      ['(S//REL TO USA)', 'REL_TO_USA_ONLY'],
      ['(S//REL TO USA, XYZ)', 'UNKNOWN_COUNTRY'],
      ['(S//RD/FRD)', 'AEA_CONFLICT'],
      ['(S//OC/OC-USGOV)', 'ORCON_CONFLICT'],
      ['(S//RELIDO/NF)', 'RELIDO_WITH_NOFORN'],
      ['(S//DISPLAY ONLY AFG/NF)', 'DISPLAY_ONLY_WITH_NOFORN'],
      ['(S//REL TO USA, GBR/NF)', 'NOFORN_WITH_REL_TO'],
      ['(S//NF/RELIDO)', 'RELIDO_WITH_NOFORN'],
      ['(S//NF/DISPLAY ONLY AFG)', 'DISPLAY_ONLY_WITH_NOFORN'],
      ['(U//RELIDO)', 'RELIDO_REQUIRES_CLASSIFIED'],
      ['(S//DISPLAY ONLY)', 'DISPLAY_ONLY_LIST'],
      ['(S//FOUO)', 'FOUO_REQUIRES_UNCLASSIFIED'],
      ['(CUI//FOUO)', 'FOUO_WITH_CUI'],
      ['(U//FEDCON)', 'CUI_CONTROL_REQUIRES_CUI'],
      ['(U//FGI DEU)', 'FGI_REQUIRES_CLASSIFIED'],
      ['(U//SAR-BP)', 'SAP_REQUIRES_CLASSIFIED'],
      ['(//DEU U)', 'FOREIGN_LEVEL'],
      ['(//DEU S//SI)', 'FOREIGN_CATEGORY'],
      ['(//XYZ S)', 'UNKNOWN_COUNTRY'],
      ['(//JOINT S CAN GBR)', 'COUNTRY_LIST'],
      ['(//JOINT S GBR CAN USA)', 'TOKEN_ORDER'],
      ['(S//FGI USA)', 'COUNTRY_LIST'],
      ['(S//FGI GBR DEU)', 'TOKEN_ORDER'],
      ['(TS//SI/SI-G//OC)', 'SCI_SYSTEM_REPEATED'],
      ['(TS//SI-XYZ-ABC)', 'TOKEN_ORDER'],
      ['(TS//SI-)', 'INVALID_SCI'],
      ['(S//SAR-)', 'INVALID_SAP'],
      ['(CUI//sp_prvcy)', 'INVALID_CHARACTER'],
      ['(CUI//CTI/SP-PRVCY)', 'TOKEN_ORDER'],
      ['(S//NF)\u0000', 'INVALID_CHARACTER'],
    ];
    for (const [input, code] of INVALID) {
      it(`rejects ${JSON.stringify(input)} with ${code}`, () => {
        assert.throws(() => parseMarking(input), (err: unknown) => {
          assert.ok(err instanceof MarkingError);
          assert.equal(err.code, code, err.message);
          assert.ok(err.message.length > 0);
          return true;
        });
      });
    }
  });
});
