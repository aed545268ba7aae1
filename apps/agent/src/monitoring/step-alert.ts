/**
 * The quota alert state machine of AosEdge (reference §4.6, Go `alertprocessor.go`), pure:
 * time is an argument, so it is tested with tables and driven by the sampler.
 *
 * Invariants: `aboveSince` is set only while not raised and the value stays ≥ max;
 * `belowSince` only while raised and the value stays ≤ min; `lastEventAt` is the time of the
 * last raise/continue while raised.
 */

/** A rule in absolute units (bytes, DMIPS...): percent rules are converted before. */
export interface AlertThresholds {
  minTimeoutMs: number;
  minThreshold: number;
  maxThreshold: number;
}

export interface AlertState {
  rule: AlertThresholds;
  isRaised: boolean;
  aboveSince?: number;
  belowSince?: number;
  lastEventAt?: number;
}

export type AlertTransition = 'raise' | 'continue' | 'fall';

export interface AlertEvent {
  state: AlertTransition;
  value: number;
  at: number;
}

/** A fresh, not raised alert for `rule`. */
export function createAlertState(rule: AlertThresholds): AlertState {
  return { rule, isRaised: false };
}

/**
 * Feed one sample (`now` in ms). Raise after the value stayed ≥ maxThreshold for minTimeout;
 * while raised and above minThreshold, continue every minTimeout; fall after the value
 * stayed ≤ minThreshold for minTimeout.
 */
export function stepAlert(state: AlertState, value: number, now: number): { state: AlertState; event?: AlertEvent } {
  const { rule } = state;
  if (!state.isRaised) {
    if (value < rule.maxThreshold) return { state: { rule, isRaised: false } };
    const aboveSince = state.aboveSince ?? now;
    if (now - aboveSince < rule.minTimeoutMs) return { state: { rule, isRaised: false, aboveSince } };
    return { state: { rule, isRaised: true, lastEventAt: now }, event: { state: 'raise', value, at: now } };
  }
  const lastEventAt = state.lastEventAt ?? now;
  if (value <= rule.minThreshold) {
    const belowSince = state.belowSince ?? now;
    if (now - belowSince < rule.minTimeoutMs) return { state: { rule, isRaised: true, lastEventAt, belowSince } };
    return { state: { rule, isRaised: false }, event: { state: 'fall', value, at: now } };
  }
  if (now - lastEventAt >= rule.minTimeoutMs) {
    return { state: { rule, isRaised: true, lastEventAt: now }, event: { state: 'continue', value, at: now } };
  }
  return { state: { rule, isRaised: true, lastEventAt } };
}
