import type { RuntimeSpec } from './runtime-spec.js';
import type { RuntimeSpecInput } from './types.js';

/**
 * Network namespace (reference §4.1 step 6): the namespace the agent's network manager
 * prepared (`instance.networkNamespacePath`) is joined; without one the container gets a
 * fresh namespace with loopback only; `hostNetwork: true` (a unit setting, never a service's)
 * shares the unit's. The unit's hosts file (`instance.hostsPath`) is bound read-only on
 * /etc/hosts, so names of instances started later resolve too.
 */
export function applyNetwork(spec: RuntimeSpec, { unit, instance }: RuntimeSpecInput): RuntimeSpec {
  const others = spec.linux.namespaces.filter((namespace) => namespace.type !== 'network');
  if (unit.hostNetwork === true) return { ...spec, linux: { ...spec.linux, namespaces: others } };
  const network =
    instance.networkNamespacePath === undefined
      ? { type: 'network' as const }
      : { type: 'network' as const, path: instance.networkNamespacePath };
  const mounts =
    instance.hostsPath === undefined
      ? spec.mounts
      : [
          ...spec.mounts.filter((mount) => mount.destination !== '/etc/hosts'),
          {
            destination: '/etc/hosts',
            type: 'bind',
            source: instance.hostsPath,
            options: ['bind', 'ro', 'nosuid', 'nodev', 'noexec'],
          },
        ];
  return { ...spec, mounts, linux: { ...spec.linux, namespaces: [...others, network] } };
}
