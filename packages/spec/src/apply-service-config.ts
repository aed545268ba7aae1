import type { RuntimeSpec } from './runtime-spec.js';
import { SpecError } from './spec-error.js';
import type { RuntimeSpecInput } from './types.js';

// RFC 1123 label rules: what sethostname in a UTS namespace accepts without surprises.
const HOSTNAME_PATTERN = /^(?=.{1,63}$)[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const SYSCTL_KEY_PATTERN = /^[a-z0-9_]+([./][a-zA-Z0-9_-]+)+$/;
// The IPC-namespaced sysctls runc 1.1 accepts (libcontainer/configs/validate sysctl()).
const IPC_SYSCTLS = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);

/**
 * Why runc would refuse `key`, or undefined: only sysctls of a namespace the container has
 * of its own may be set (IPC, network unless `hostNetwork`, UTS `kernel.domainname`).
 */
function explainRefusedSysctl(key: string, hostNetwork: boolean): string | undefined {
  if (IPC_SYSCTLS.has(key) || key.startsWith('fs.mqueue.') || key === 'kernel.domainname') return undefined;
  if (key.startsWith('net.')) {
    return hostNetwork
      ? "it would change the unit's own network (hostNetwork is on); remove it or give the service its own network"
      : undefined;
  }
  if (key === 'kernel.hostname') return 'set the service hostname instead';
  return 'it is not isolated per container and would change the whole unit; remove it';
}

/**
 * Service config → `hostname` and `linux.sysctl` (reference §4.1 step 9). Quotas, devices
 * and resources have their own steps. Sysctls that are not namespaced (or `net.*` with the
 * host network) are refused here: they would change the unit itself, and runc refuses them
 * too, later and less clearly.
 */
export function applyServiceConfig(spec: RuntimeSpec, { serviceConfig, unit }: RuntimeSpecInput): RuntimeSpec {
  let next = spec;
  if (serviceConfig.hostname !== undefined) {
    if (!HOSTNAME_PATTERN.test(serviceConfig.hostname)) {
      throw new SpecError(
        'invalid-image-config',
        `reading service_config.json: hostname "${serviceConfig.hostname}" is not a valid host name; use letters, digits and "-" (at most 63)`,
      );
    }
    next = { ...next, hostname: serviceConfig.hostname };
  }
  const sysctl = serviceConfig.sysctl ?? {};
  const keys = Object.keys(sysctl);
  if (keys.length > 0) {
    for (const key of keys) {
      if (!SYSCTL_KEY_PATTERN.test(key)) {
        throw new SpecError(
          'invalid-sysctl',
          `reading service_config.json: sysctl "${key}" is not a sysctl name; use dotted names such as net.ipv4.ip_forward`,
        );
      }
      const refusal = explainRefusedSysctl(key, unit.hostNetwork === true);
      if (refusal !== undefined) {
        throw new SpecError('invalid-sysctl', `reading service_config.json: sysctl "${key}" cannot be set: ${refusal}`);
      }
    }
    next = { ...next, linux: { ...next.linux, sysctl: { ...next.linux.sysctl, ...sysctl } } };
  }
  return next;
}
