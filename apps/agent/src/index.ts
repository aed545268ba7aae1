export { Agent, type AgentOptions, type PassResult } from './agent.js';
export { AgentError, type AgentErrorCode } from './errors.js';
export { planSteps, resolveEffectiveServices } from './reconcile/plan-steps.js';
export { describeStep, type Step, type StepKind } from './reconcile/steps.js';
export type {
  UnitState,
  InstanceState,
  ServiceVersion,
  Observations,
  InstanceRuntime,
  RunParameters,
} from './reconcile/unit-state.js';
export { expandTarget, mergeDesiredStatus } from './reconcile/expand-target.js';
export { createInstanceId } from './persist/instance-id.js';
export { resolveStoragePaths, instancePaths, type StoragePaths } from './paths.js';
export { rotateLog, DEFAULT_LOG_LIMITS, type LogLimits } from './runtime/rotate-log.js';
