/** Output guards on the stream: U.S.-person masking and a sliding red-line window that can stop it. */
import type { Guards } from './guards.ts';
import { createMasker, type MaskedIdentity, type MaskerOptions } from './mask.ts';
import type { GuardSignal, RedLine } from './types.ts';

export interface OutputGuardOptions extends MaskerOptions {
  guards: Guards;
  /** Characters of already-masked output the red-line check looks at (default 400). */
  windowChars?: number;
  /** Masked text is released to the client after each check, at least this often (default 64 chars). */
  strideChars?: number;
  /** Categories that end the stream (default: mass_surveillance, use_of_force, wmd). */
  stopOn?: readonly RedLine[];
}

export interface OutputStep { emit: string; refusal?: GuardSignal }

export interface OutputGuard {
  push(chunk: string): OutputStep;
  end(): OutputStep;
  identities(): MaskedIdentity[];
}

const DEFAULT_STOP_ON: readonly RedLine[] = ['mass_surveillance', 'use_of_force', 'wmd'];
// Placeholders say nothing about the answer's topic; the classifier sees a plain word instead, so
// a masked benign report does not look like a dossier just because it names U.S. persons.
const PLACEHOLDER = /U\.S\. PERSON \d+/g;

/**
 * Guards one generated answer. Text reaches the client only after it is masked and after the
 * red-line check has seen it inside its window; on a hit the guard returns the refusal signal and
 * emits nothing more. The check sees masked text only, so neither a refusal's evidence nor anything
 * logged from it can hold an unmasked identity.
 */
export function createOutputGuard(options: OutputGuardOptions): OutputGuard {
  const masker = createMasker(options);
  const windowChars = options.windowChars ?? 400;
  const stride = options.strideChars ?? 64;
  const stopOn = new Set<RedLine>(options.stopOn ?? DEFAULT_STOP_ON);
  let pending = '';
  let tail = '';
  let stopped = false;

  const check = (force: boolean): OutputStep => {
    if (!force && pending.length < stride && !pending.includes('\n')) return { emit: '' };
    if (pending.length === 0) return { emit: '' };
    const window = (tail + pending).slice(-Math.max(windowChars, pending.length));
    const signal = options.guards.classify(window.replace(PLACEHOLDER, 'a person'), { source: 'output' });
    if (signal.category !== 'none' && stopOn.has(signal.category)) {
      stopped = true;
      pending = '';
      return { emit: '', refusal: signal };
    }
    const emit = pending;
    tail = (tail + pending).slice(-windowChars);
    pending = '';
    return { emit };
  };

  return {
    push(chunk: string): OutputStep {
      if (stopped) return { emit: '' };
      pending += masker.push(chunk);
      return check(false);
    },
    end(): OutputStep {
      if (stopped) return { emit: '' };
      pending += masker.end();
      return check(true);
    },
    identities: () => masker.identities(),
  };
}
