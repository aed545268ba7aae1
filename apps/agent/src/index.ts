export { Agent } from './agent.js';
export type { AgentOptions, PassResult } from './agent-options.js';
export { computeStatusDelta, type AgentSubscriber } from './events.js';
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
} from './state.js';
export { expandTarget } from './reconcile/expand-target.js';
export { mergeDesiredStatus } from './persist/target-store.js';
export { createInstanceId } from './persist/instance-id.js';
export { resolveStoragePaths, instancePaths, agentFiles, type StoragePaths, type AgentFiles } from './paths.js';
export { handOverTarget } from './persist/target-inbox.js';
export { DEFAULT_LOG_LIMITS, listLogFiles, type LogLimits } from './runtime/log-writer.js';
export { CloudLink, type CloudLinkOptions, type LinkEvent } from './link/cloud-link.js';
export { provisionUnit, type ProvisionOptions, type ProvisionResult } from './link/provision-unit.js';
export { readIdentity, type UnitIdentity } from './link/identity-store.js';
export { defaultIdentityDirectory, hasIdentity, identityFiles } from './link/identity-paths.js';
export { CloudRefusal } from './link/open-socket.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './link/backoff.js';
