import { addAdditionalGids } from './add-additional-gids.js';
import type { RuntimeDevice, RuntimeDeviceRule, RuntimeSpec } from './runtime-spec.js';
import { SpecError } from './spec-error.js';
import type { RuntimeSpecInput } from './types.js';

const ACCESS_PATTERN = /^(?!.*(.).*\1)[rwm]{1,3}$/;

/** Split an Aos `hostDevices` entry `"/dev/x"` or `"/dev/x:/dev/y"` into host and container paths. */
export function parseHostDevice(entry: string): { hostPath: string; containerPath: string } {
  const [hostPath = '', containerPath = hostPath, ...rest] = entry.split(':');
  if (rest.length > 0 || !hostPath.startsWith('/dev/') || !containerPath.startsWith('/dev/')) {
    throw new SpecError(
      'unknown-device',
      `reading unit device "${entry}": expected "/dev/<host>" or "/dev/<host>:/dev/<container>"`,
    );
  }
  return { hostPath, containerPath };
}

/**
 * Service `devices` → unit devices (reference §4.1 step 9): each host device node becomes a
 * `linux.devices` entry and a cgroup allow rule with the service's permissions as access;
 * the device's groups join `additionalGids`. Device numbers come from `input.hostDevices`
 * (the caller stats the nodes). `sharedCount` allocation is the caller's.
 */
export function applyDevices(
  spec: RuntimeSpec,
  { serviceConfig, unit, hostDevices = {} }: RuntimeSpecInput,
): RuntimeSpec {
  let next = spec;
  const devices: RuntimeDevice[] = [...(spec.linux.devices ?? [])];
  const rules: RuntimeDeviceRule[] = [...spec.linux.resources.devices];
  for (const request of serviceConfig.devices ?? []) {
    if (!ACCESS_PATTERN.test(request.permissions)) {
      throw new SpecError(
        'unknown-device',
        `reading service device "${request.name}": permissions "${request.permissions}" must be letters of "rwm"`,
      );
    }
    const device = unit.devices?.find((candidate) => candidate.name === request.name);
    if (device === undefined) {
      throw new SpecError(
        'unknown-device',
        `resolving service device "${request.name}": the unit offers no such device; add it to the unit settings`,
      );
    }
    for (const entry of device.hostDevices) {
      const { hostPath, containerPath } = parseHostDevice(entry);
      const node = hostDevices[hostPath];
      if (node === undefined) {
        throw new SpecError(
          'unknown-device',
          `resolving device "${request.name}": host node ${hostPath} was not found; check that it exists on the unit`,
        );
      }
      devices.push({
        type: node.type,
        path: containerPath,
        major: node.major,
        minor: node.minor,
        ...(node.fileMode === undefined ? {} : { fileMode: node.fileMode }),
        ...(node.uid === undefined ? {} : { uid: node.uid }),
        ...(node.gid === undefined ? {} : { gid: node.gid }),
      });
      rules.push({ allow: true, type: node.type, major: node.major, minor: node.minor, access: request.permissions });
    }
    next = addAdditionalGids(next, device.groups ?? []);
  }
  if (devices.length === 0) return next;
  return { ...next, linux: { ...next.linux, devices, resources: { ...next.linux.resources, devices: rules } } };
}
