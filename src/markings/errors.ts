/** The markings part's one error type: a fixed code per broken rule and a message naming the rule. */

/** Every rule a marking can break, one code each (markings.md "Grammar", IC register, ISM rules). */
export const MARKING_ERROR_CODES = [
  // input shape
  'INVALID_INPUT', 'EMPTY_MARKING', 'TOO_LONG', 'INVALID_CHARACTER', 'UNBALANCED_PARENTHESES',
  // structure
  'BAD_SEPARATOR', 'EMPTY_CATEGORY', 'MISSING_CLASSIFICATION', 'UNKNOWN_TOKEN', 'UNKNOWN_COUNTRY',
  'COUNTRY_LIST', 'MISPLACED_TOKEN', 'CATEGORY_ORDER', 'TOKEN_ORDER', 'DUPLICATE_TOKEN', 'DUPLICATE_CATEGORY',
  'INVALID_SCI', 'SCI_SYSTEM_REPEATED', 'INVALID_SAP', 'INVALID_CUI_CATEGORY',
  'FOREIGN_LEVEL', 'FOREIGN_CATEGORY',
  // classification-level rules
  'SCI_REQUIRES_CLASSIFIED', 'HCS_REQUIRES_CONFIDENTIAL', 'SCI_REQUIRES_SECRET', 'SAP_REQUIRES_CLASSIFIED',
  'AEA_REQUIRES_CLASSIFIED', 'UCNI_REQUIRES_UNCLASSIFIED', 'FGI_REQUIRES_CLASSIFIED',
  'FOUO_REQUIRES_UNCLASSIFIED', 'IMCON_REQUIRES_SECRET', 'RELIDO_REQUIRES_CLASSIFIED',
  'DISPLAY_ONLY_REQUIRES_CLASSIFIED',
  // combination rules
  'SIG_REQUIRES_ORCON', 'AEA_CONFLICT', 'ORCON_CONFLICT', 'FOUO_WITH_CUI', 'CUI_CONTROL_REQUIRES_CUI',
  'NOFORN_WITH_REL_TO', 'RELIDO_WITH_NOFORN', 'DISPLAY_ONLY_WITH_NOFORN', 'DISPLAY_ONLY_LIST',
  // REL TO lists
  'REL_TO_USA_FIRST', 'REL_TO_ORDER', 'REL_TO_USA_ONLY',
] as const;

export type MarkingErrorCode = (typeof MARKING_ERROR_CODES)[number];

/** An invalid marking. `code` is fixed per rule; the message says which rule and which token. */
export class MarkingError extends Error {
  override readonly name = 'MarkingError';

  constructor(readonly code: MarkingErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Quotes a piece of hostile input for an error message: bounded, printable ASCII only. */
export function quote(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(clean.length > 60 ? `${clean.slice(0, 57)}...` : clean);
}
