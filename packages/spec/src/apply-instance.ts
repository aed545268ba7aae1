import { mergeEnv } from './merge-env.js';
import type { RuntimeSpec } from './runtime-spec.js';
import { SpecError } from './spec-error.js';
import type { InstanceInfo, RuntimeSpecInput } from './types.js';

/** Parent of the instance cgroups when the unit settings name none. */
export const DEFAULT_CGROUP_PARENT = '/openaos';

// The instance ID names a cgroup and a directory: no separators, no "..", nothing hidden.
const INSTANCE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

function requireId(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0 || value > 0xffff_fffe) {
    throw new SpecError(
      'invalid-instance',
      `preparing the instance: ${name} ${value} is not allowed; services run as an unprivileged ID (pool 5000-10000)`,
    );
  }
}

function validateInstance(instance: InstanceInfo): void {
  if (!INSTANCE_ID_PATTERN.test(instance.instanceId)) {
    throw new SpecError(
      'invalid-instance',
      `preparing the instance: instance ID "${instance.instanceId}" must be letters, digits, ".", "_" or "-"`,
    );
  }
  requireId('UID', instance.uid);
  requireId('GID', instance.gid);
  if (!Number.isSafeInteger(instance.instanceIndex) || instance.instanceIndex < 0) {
    throw new SpecError(
      'invalid-instance',
      `preparing the instance: instance index ${instance.instanceIndex} must be a non-negative integer`,
    );
  }
  if (!instance.rootfsPath.startsWith('/')) {
    throw new SpecError(
      'invalid-instance',
      `preparing the instance: rootfs path "${instance.rootfsPath}" must be absolute`,
    );
  }
}

/** The cgroup path of an instance: `<cgroupParent or /openaos>/<instanceId>`. */
export function formatCgroupsPath(instanceId: string, cgroupParent: string = DEFAULT_CGROUP_PARENT): string {
  const parent = cgroupParent.replace(/\/+$/, '');
  return `${parent.startsWith('/') ? parent : `/${parent}`}/${instanceId}`;
}

/**
 * Instance → identity, root, cgroup and `AOS_*` variables (reference §4.1 steps 2-4, 7):
 * the process runs as the instance UID and service GID whatever the image says; the root
 * is writable (the overlay's upper layer or a prepared dir); `AOS_*` come after the image
 * env so an image cannot claim another identity.
 */
export function applyInstance(spec: RuntimeSpec, { instance, unit }: RuntimeSpecInput): RuntimeSpec {
  validateInstance(instance);
  const aosEnv = [
    `AOS_SERVICE_ID=${instance.serviceId}`,
    `AOS_SUBJECT_ID=${instance.subjectId}`,
    `AOS_INSTANCE_INDEX=${instance.instanceIndex}`,
    `AOS_INSTANCE_ID=${instance.instanceId}`,
  ];
  return {
    ...spec,
    root: { path: instance.rootfsPath, readonly: false },
    process: {
      ...spec.process,
      terminal: false,
      user: { ...spec.process.user, uid: instance.uid, gid: instance.gid },
      env: mergeEnv(spec.process.env, aosEnv),
    },
    linux: { ...spec.linux, cgroupsPath: formatCgroupsPath(instance.instanceId, unit.cgroupParent) },
  };
}
