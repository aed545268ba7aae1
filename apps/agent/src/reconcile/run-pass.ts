/**
 * One reconcile pass: observe, plan, execute, until the plan is empty.
 *
 * Invariants:
 * - `planSteps` is the only code that decides; executors (executors.ts) the only code that acts.
 * - Each round observes once, plans against that observation and executes the whole plan; the
 *   next round observes again. Executors record their effect (records.json) before they return,
 *   so the next observation sees it, and observation reads only the disk.
 * - A pass ends at the first empty plan, or after MAX_ROUNDS executed plans (a step that cannot
 *   take effect yet must not spin). Its result is the observation taken after the last
 *   execution: status and monitor are fed from it, so nothing observes the unit twice.
 */
import { planSteps } from './plan-steps.js';
import type { Observed } from './observe-unit.js';
import type { Step } from './steps.js';
import type { UnitState } from '../state.js';

export const MAX_ROUNDS = 10;

export interface PassInput {
  target: UnitState;
  observe: () => Promise<Observed>;
  /** Execute one step; `observed` is the observation the step was planned from. */
  execute: (step: Step, observed: Observed) => Promise<void>;
}

/** Run one pass; returns the executed steps and the pass's final observation. */
export async function runPass(input: PassInput): Promise<{ steps: Step[]; observed: Observed }> {
  const executed: Step[] = [];
  let observed = await input.observe();
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const steps = planSteps(observed.current, input.target, observed.observations);
    if (steps.length === 0) break;
    for (const step of steps) {
      await input.execute(step, observed);
      executed.push(step);
    }
    observed = await input.observe();
  }
  return { steps: executed, observed };
}
