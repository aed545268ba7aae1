import { applyDevices } from './apply-devices.js';
import { applyEnvOverrides } from './apply-env-overrides.js';
import { applyHostMounts } from './apply-host-mounts.js';
import { applyImageConfig } from './apply-image-config.js';
import { applyInstance } from './apply-instance.js';
import { applyNetwork } from './apply-network.js';
import { applyQuotas } from './apply-quotas.js';
import { applyServiceConfig } from './apply-service-config.js';
import { applyStateAndStorage } from './apply-state-and-storage.js';
import { applyUnitResources } from './apply-unit-resources.js';
import { defaultSpec } from './default-spec.js';
import type { RuntimeSpec } from './runtime-spec.js';
import type { RuntimeSpecInput, SpecStep } from './types.js';

/**
 * The construction order, in one place. Later steps see what earlier ones did: the instance
 * env comes after the image env (an image cannot fake `AOS_*`), mounts added by resources,
 * state/storage and host mounts come after the defaults, cloud overrides come last.
 */
export const SPEC_STEPS: readonly SpecStep[] = [
  applyImageConfig,
  applyServiceConfig,
  applyQuotas,
  applyInstance,
  applyUnitResources,
  applyDevices,
  applyStateAndStorage,
  applyHostMounts,
  applyNetwork,
  applyEnvOverrides,
];

/**
 * Build an instance's OCI runtime spec (`config.json`) from its image config, service config,
 * instance and unit settings: `defaultSpec()` then `SPEC_STEPS` in order. Pure: no I/O, the
 * inputs are not modified, the same inputs give the same spec. Throws `SpecError`.
 */
export function generateRuntimeSpec(input: RuntimeSpecInput): RuntimeSpec {
  return SPEC_STEPS.reduce(
    (spec, step) => step(spec, input),
    defaultSpec({ cgroupVersion: input.unit.cgroupVersion ?? 1 }),
  );
}
