import { mergeEnv } from './merge-env.js';
import type { RuntimeSpec } from './runtime-spec.js';
import { SpecError } from './spec-error.js';
import type { RuntimeSpecInput } from './types.js';

/** Architectures AosEdge runs (seed deviation table: amd64 and arm; arm64 too). */
export const SUPPORTED_ARCHITECTURES = ['amd64', 'arm', 'arm64'] as const;

// Spellings seen in the wild (aos_core_cpp test images say x86_64) mapped to GOARCH names.
const ARCHITECTURE_ALIASES: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', armhf: 'arm', armv7l: 'arm' };

function normaliseArchitecture(architecture: string): string {
  const lower = architecture.toLowerCase();
  return ARCHITECTURE_ALIASES[lower] ?? lower;
}

/**
 * Image config → process (reference §4.1 step 8): `args = Entrypoint ++ Cmd`,
 * `cwd = WorkingDir || "/"`, `Env` merged by name. `User`, `Volumes`, `StopSignal` and
 * `ExposedPorts` are ignored (seed deviation table); the user comes from the instance.
 */
export function applyImageConfig(spec: RuntimeSpec, { imageConfig, unit }: RuntimeSpecInput): RuntimeSpec {
  if (imageConfig.os.toLowerCase() !== 'linux') {
    throw new SpecError(
      'unsupported-platform',
      `reading the image config: os "${imageConfig.os}" is not supported; rebuild the image for linux`,
    );
  }
  const architecture = normaliseArchitecture(imageConfig.architecture);
  if (!(SUPPORTED_ARCHITECTURES as readonly string[]).includes(architecture)) {
    throw new SpecError(
      'unsupported-platform',
      `reading the image config: architecture "${imageConfig.architecture}" is not supported; use one of ${SUPPORTED_ARCHITECTURES.join(', ')}`,
    );
  }
  if (unit.architecture !== undefined && normaliseArchitecture(unit.architecture) !== architecture) {
    throw new SpecError(
      'unsupported-platform',
      `reading the image config: the image is built for ${architecture} but this unit is ${unit.architecture}; build the service for the unit's architecture`,
    );
  }
  const config = imageConfig.config ?? {};
  const args = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  if (args.length === 0) {
    throw new SpecError(
      'invalid-image-config',
      'reading the image config: it has neither Entrypoint nor Cmd; set configuration.cmd in meta/config.yaml',
    );
  }
  const cwd = config.WorkingDir === undefined || config.WorkingDir === '' ? '/' : config.WorkingDir;
  if (!cwd.startsWith('/')) {
    throw new SpecError(
      'invalid-image-config',
      `reading the image config: WorkingDir "${cwd}" is not absolute; use an absolute path`,
    );
  }
  return {
    ...spec,
    process: { ...spec.process, args, cwd, env: mergeEnv(spec.process.env, config.Env ?? []) },
  };
}
