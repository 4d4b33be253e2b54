/** Indirect injection: retrieved portions and tool results scanned one by one before they reach a model. */
import type { Guards } from './guards.ts';
import type { GuardSignal } from './types.ts';

export interface PortionVerdict { drop: boolean; signal: GuardSignal }

export interface ContextFilterResult<P> {
  kept: P[];
  /** Dropped portions with the signal that dropped them, for the audit record (log ids, not text). */
  dropped: Array<{ portion: P; signal: GuardSignal }>;
}

/** Classifies one retrieved portion or tool result; a prompt_injection signal means drop it. */
export function scanPortion(guards: Guards, text: string, source: 'retrieved' | 'tool' = 'retrieved'): PortionVerdict {
  const signal = guards.classify(text, { source });
  return { drop: signal.category === 'prompt_injection', signal };
}

/**
 * Splits portions into kept and dropped. Only injection drops a portion: a retrieved report may
 * lawfully discuss surveillance or weapons, and its other signals are left to policy.
 */
export function filterContext<P extends { text: string }>(guards: Guards, portions: readonly P[], source: 'retrieved' | 'tool' = 'retrieved'): ContextFilterResult<P> {
  const kept: P[] = [];
  const dropped: Array<{ portion: P; signal: GuardSignal }> = [];
  for (const portion of portions) {
    const v = scanPortion(guards, portion.text, source);
    if (v.drop) dropped.push({ portion, signal: v.signal });
    else kept.push(portion);
  }
  return { kept, dropped };
}
