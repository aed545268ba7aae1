import type { ErrorInfo } from '../formats/error-info.js';
import type { InstanceState, ServiceVersion } from '../state.js';

/** One action of the reconciler. Each kind has exactly one executor (see executors.ts). */
export type Step =
  | { kind: 'install-service'; service: ServiceVersion }
  | { kind: 'start-instance'; instance: InstanceState }
  /** Clean up an exited container and start it again (restart policy); `failedStarts` in a row so far. */
  | { kind: 'restart-instance'; instance: InstanceState; failedStarts: number }
  /** Stop and delete the container, keep the instance's uid and storage (a new version follows). */
  | { kind: 'stop-instance'; instanceId: string; reason: 'update' | 'rollback' }
  /** Stop it and delete everything of the instance: container, runtime, storage, state, uid. */
  | { kind: 'remove-instance'; instanceId: string }
  | { kind: 'mark-instance-failed'; instanceId: string; error: ErrorInfo }
  /** The new version cannot run: record why; the planner then falls back to the active version. */
  | { kind: 'reject-version'; serviceId: string; version: string; manifestDigest: string; error: ErrorInfo }
  /** The version reached `active` and stayed: it becomes the one to fall back to. */
  | { kind: 'commit-version'; serviceId: string; version: string; manifestDigest: string }
  /** Delete an installed version nothing refers to (and its layers once unreferenced). */
  | {
      kind: 'remove-service-version';
      serviceId: string;
      version: string;
      manifestDigest: string;
      isLastVersion: boolean;
    };

export type StepKind = Step['kind'];
export type StepOf<K extends StepKind> = Extract<Step, { kind: K }>;

/** One line per step, for logs and test failure messages. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'install-service':
      return `install ${step.service.serviceId}@${step.service.version}`;
    case 'start-instance':
    case 'restart-instance':
      return `${step.kind === 'start-instance' ? 'start' : 'restart'} ${step.instance.serviceId}/${step.instance.subjectId}/${step.instance.index}@${step.instance.version}`;
    case 'stop-instance':
      return `stop ${step.instanceId} (${step.reason})`;
    case 'remove-instance':
      return `remove ${step.instanceId}`;
    case 'mark-instance-failed':
      return `fail ${step.instanceId}: ${step.error.message}`;
    case 'reject-version':
      return `reject ${step.serviceId}@${step.version}: ${step.error.message}`;
    case 'commit-version':
      return `commit ${step.serviceId}@${step.version}`;
    case 'remove-service-version':
      return `remove ${step.serviceId}@${step.version}`;
  }
}
