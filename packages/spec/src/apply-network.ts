import type { RuntimeSpec } from './runtime-spec.js';
import type { RuntimeSpecInput } from './types.js';

/**
 * Network namespace (reference §4.1 step 6). Until the network manager exists: the container
 * gets a fresh namespace (loopback only) unless the unit says `hostNetwork: true`, in which
 * case it shares the unit's. A namespace prepared by the network manager
 * (`instance.networkNamespacePath`) is joined instead.
 */
export function applyNetwork(spec: RuntimeSpec, { unit, instance }: RuntimeSpecInput): RuntimeSpec {
  const others = spec.linux.namespaces.filter((namespace) => namespace.type !== 'network');
  if (unit.hostNetwork === true) return { ...spec, linux: { ...spec.linux, namespaces: others } };
  const network =
    instance.networkNamespacePath === undefined
      ? { type: 'network' as const }
      : { type: 'network' as const, path: instance.networkNamespacePath };
  return { ...spec, linux: { ...spec.linux, namespaces: [...others, network] } };
}
