import { mergeEnv } from './merge-env.js';
import type { RuntimeSpec } from './runtime-spec.js';
import { SpecError } from './spec-error.js';
import type { RuntimeSpecInput } from './types.js';

const ENV_ENTRY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Cloud env overrides (reference §4.1 step 11), merged last so they win (except `AOS_*`). */
export function applyEnvOverrides(spec: RuntimeSpec, { instance }: RuntimeSpecInput): RuntimeSpec {
  const overrides = instance.env ?? [];
  if (overrides.length === 0) return spec;
  for (const entry of overrides) {
    if (!ENV_ENTRY_PATTERN.test(entry)) {
      throw new SpecError('invalid-instance', `applying env overrides: "${entry}" is not NAME=value`);
    }
    // The AOS_* variables are the instance's identity; an override must not change it.
    if (entry.startsWith('AOS_')) {
      throw new SpecError(
        'invalid-instance',
        `applying env overrides: "${entry.split('=')[0]}" is set by the agent and cannot be overridden`,
      );
    }
  }
  return { ...spec, process: { ...spec.process, env: mergeEnv(spec.process.env, overrides) } };
}
