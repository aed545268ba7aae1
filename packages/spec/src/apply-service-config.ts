import type { RuntimeSpec } from './runtime-spec.js';
import { SpecError } from './spec-error.js';
import type { RuntimeSpecInput } from './types.js';

// RFC 1123 label rules: what sethostname in a UTS namespace accepts without surprises.
const HOSTNAME_PATTERN = /^(?=.{1,63}$)[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const SYSCTL_KEY_PATTERN = /^[a-z0-9_]+([./][a-zA-Z0-9_-]+)+$/;

/**
 * Service config → `hostname` and `linux.sysctl` (reference §4.1 step 9). Quotas, devices
 * and resources have their own steps. `net.*` sysctls are refused with the host network:
 * they would change the unit itself (runc refuses them too, later and less clearly).
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
        throw new SpecError('invalid-sysctl', `reading service_config.json: sysctl "${key}" is not a sysctl name; use dotted names such as net.ipv4.ip_forward`);
      }
      if (unit.hostNetwork === true && key.startsWith('net.')) {
        throw new SpecError(
          'invalid-sysctl',
          `reading service_config.json: sysctl "${key}" would change the unit's own network (hostNetwork is on); remove it or give the service its own network`,
        );
      }
    }
    next = { ...next, linux: { ...next.linux, sysctl: { ...next.linux.sysctl, ...sysctl } } };
  }
  return next;
}
