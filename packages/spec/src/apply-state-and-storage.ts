import type { RuntimeMount, RuntimeSpec } from './runtime-spec.js';
import { SpecError } from './spec-error.js';
import type { RuntimeSpecInput } from './types.js';

function bindReadWrite(source: string, destination: string): RuntimeMount {
  if (!source.startsWith('/')) {
    throw new SpecError('invalid-instance', `preparing ${destination}: host path "${source}" must be absolute`);
  }
  return { destination, type: 'bind', source, options: ['bind', 'rw', 'nosuid', 'nodev'] };
}

/**
 * State and storage (reference §4.1 step 10): the state file on `/state.dat` and the storage
 * directory on `/storage`, both read-write. The caller creates and chowns them to the
 * instance UID:GID and sets the file-system quotas (`stateLimit`/`storageLimit`).
 */
export function applyStateAndStorage(spec: RuntimeSpec, { instance }: RuntimeSpecInput): RuntimeSpec {
  const mounts: RuntimeMount[] = [];
  if (instance.statePath !== undefined) mounts.push(bindReadWrite(instance.statePath, '/state.dat'));
  if (instance.storagePath !== undefined) mounts.push(bindReadWrite(instance.storagePath, '/storage'));
  if (mounts.length === 0) return spec;
  return { ...spec, mounts: [...spec.mounts, ...mounts] };
}
