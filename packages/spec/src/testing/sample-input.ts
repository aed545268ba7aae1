import type { RuntimeSpecInput } from '../types.js';

/** A realistic input: the shape of what the agent passes for one instance. */
export function createSampleInput(overrides: Partial<RuntimeSpecInput> = {}): RuntimeSpecInput {
  return {
    imageConfig: {
      architecture: 'amd64',
      os: 'linux',
      config: {
        Entrypoint: ['python3'],
        Cmd: ['/usr/bin/services/hello_world.py'],
        Env: ['PYTHONUNBUFFERED=1', 'PATH=/opt/bin:/usr/bin:/bin'],
        WorkingDir: '/srv',
      },
    },
    serviceConfig: {
      skipResourceLimits: false,
      hostname: 'hello',
      sysctl: { 'net.ipv4.ip_forward': '1' },
      quotas: {
        cpuDmipsLimit: 5000,
        ramLimit: 64 * 1024 * 1024,
        pidsLimit: 32,
        noFileLimit: 256,
        tmpLimit: 8 * 1024 * 1024,
        stateLimit: 4096,
        storageLimit: 1 << 20,
      } as RuntimeSpecInput['serviceConfig']['quotas'],
    },
    instance: {
      serviceId: '3f1b8c2e-0c57-4d4c-9a35-6f6d4b7d9e21',
      subjectId: 'b0b4c7d2-8e55-4b62-a8d2-6c3c0a1f5e77',
      instanceIndex: 1,
      instanceId: '0a4e9f8e-6b1c-4d5e-9f2a-7c8b9d0e1f23',
      uid: 5001,
      gid: 5000,
      rootfsPath: '/run/openaos/runtime/0a4e9f8e-6b1c-4d5e-9f2a-7c8b9d0e1f23/rootfs',
      statePath: '/var/lib/openaos/states/0a4e9f8e_state.dat',
      storagePath: '/var/lib/openaos/storages/0a4e9f8e',
    },
    unit: { cpuCount: 2, maxDmips: 20000 },
    existingHostPaths: ['/etc/nsswitch.conf', '/etc/ssl'],
    ...overrides,
  };
}
