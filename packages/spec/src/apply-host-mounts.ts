import type { RuntimeSpec } from './runtime-spec.js';
import type { RuntimeSpecInput } from './types.js';

/**
 * Host files every container sees read-only (reference §4.1 step 5): name-service config and
 * the CA certificates, so TLS and user lookups work with the host's base layer.
 */
export const DEFAULT_HOST_MOUNTS: readonly string[] = ['/etc/nsswitch.conf', '/etc/ssl'];

/**
 * With the host network the host's resolver config is the right one, so it is bound too;
 * with its own namespace the network manager (later) writes the instance's resolv.conf.
 */
export const HOST_NETWORK_MOUNTS: readonly string[] = ['/etc/resolv.conf', '/etc/hosts'];

/** The host paths `applyHostMounts` would bind, before filtering on existence. */
export function listHostMounts(unit: RuntimeSpecInput['unit']): string[] {
  const base = unit.hostMounts ?? DEFAULT_HOST_MOUNTS;
  const extra = unit.hostNetwork === true ? HOST_NETWORK_MOUNTS : [];
  return [...new Set([...base, ...extra])];
}

/**
 * Bind the unit's host mounts read-only at the same path. Only paths the caller listed in
 * `existingHostPaths` are bound (the generator does no I/O; runc fails on a missing source).
 */
export function applyHostMounts(spec: RuntimeSpec, { unit, existingHostPaths = [] }: RuntimeSpecInput): RuntimeSpec {
  const paths = listHostMounts(unit).filter((path) => existingHostPaths.includes(path));
  if (paths.length === 0) return spec;
  const mounts = paths.map((path) => ({
    destination: path,
    type: 'bind',
    source: path,
    options: ['rbind', 'ro', 'nosuid', 'nodev'],
  }));
  return { ...spec, mounts: [...spec.mounts.filter((mount) => !paths.includes(mount.destination)), ...mounts] };
}
