import { describe, expect, it } from 'vitest';
import { generateRuntimeSpec } from './generate-runtime-spec.js';
import { SpecError } from './spec-error.js';
import { createSampleInput } from './testing/sample-input.js';
import { listSchemaProblems } from './testing/validate-runtime-spec.js';

describe('generateRuntimeSpec', () => {
  it('builds a schema-valid spec with the identity, limits and mounts of the instance', () => {
    const spec = generateRuntimeSpec(createSampleInput());
    expect(listSchemaProblems(spec)).toEqual([]);
    expect(spec.ociVersion).toBe('1.0.2');
    expect(spec.root).toEqual({
      path: '/run/openaos/runtime/0a4e9f8e-6b1c-4d5e-9f2a-7c8b9d0e1f23/rootfs',
      readonly: false,
    });
    expect(spec.process.args).toEqual(['python3', '/usr/bin/services/hello_world.py']);
    expect(spec.process.cwd).toBe('/srv');
    expect(spec.process.user).toEqual({ uid: 5001, gid: 5000 });
    expect(spec.process.terminal).toBe(false);
    expect(spec.process.env).toEqual([
      'PATH=/opt/bin:/usr/bin:/bin',
      'TERM=xterm',
      'PYTHONUNBUFFERED=1',
      'AOS_SERVICE_ID=3f1b8c2e-0c57-4d4c-9a35-6f6d4b7d9e21',
      'AOS_SUBJECT_ID=b0b4c7d2-8e55-4b62-a8d2-6c3c0a1f5e77',
      'AOS_INSTANCE_INDEX=1',
      'AOS_INSTANCE_ID=0a4e9f8e-6b1c-4d5e-9f2a-7c8b9d0e1f23',
    ]);
    expect(spec.hostname).toBe('hello');
    expect(spec.linux.sysctl).toEqual({ 'net.ipv4.ip_forward': '1' });
    expect(spec.linux.cgroupsPath).toBe('/openaos/0a4e9f8e-6b1c-4d5e-9f2a-7c8b9d0e1f23');
    // 5000 DMIPS of a 20000-DMIPS, 2-core unit = half a core.
    expect(spec.linux.resources.cpu).toEqual({ quota: 50_000, period: 100_000 });
    expect(spec.linux.resources.memory).toEqual({ limit: 67_108_864, swap: 67_108_864 });
    expect(spec.linux.resources.pids).toEqual({ limit: 32 });
    expect(spec.process.rlimits).toEqual([
      { type: 'RLIMIT_NPROC', soft: 32, hard: 32 },
      { type: 'RLIMIT_NOFILE', soft: 256, hard: 256 },
    ]);
    const byDestination = Object.fromEntries(spec.mounts.map((mount) => [mount.destination, mount]));
    expect(byDestination['/tmp']?.options).toContain('size=8388608');
    expect(byDestination['/state.dat']).toMatchObject({
      source: '/var/lib/openaos/states/0a4e9f8e_state.dat',
      options: expect.arrayContaining(['bind', 'rw']),
    });
    expect(byDestination['/storage']).toMatchObject({
      source: '/var/lib/openaos/storages/0a4e9f8e',
      options: expect.arrayContaining(['bind', 'rw']),
    });
    expect(byDestination['/etc/ssl']?.options).toContain('ro');
    expect(byDestination['/etc/resolv.conf']).toBeUndefined();
    expect(spec.linux.namespaces.map((namespace) => namespace.type)).toContain('network');
  });

  it('is pure: same input, same output, input untouched', () => {
    const input = createSampleInput();
    const before = structuredClone(input);
    const first = generateRuntimeSpec(input);
    first.process.env.push('MUTATED=1');
    first.mounts.length = 0;
    expect(generateRuntimeSpec(input)).not.toEqual(first);
    expect(generateRuntimeSpec(input)).toEqual(generateRuntimeSpec(createSampleInput()));
    expect(input).toEqual(before);
  });

  it('applies no quota with skipResourceLimits', () => {
    const sample = createSampleInput();
    const spec = generateRuntimeSpec({
      ...sample,
      serviceConfig: { ...sample.serviceConfig, skipResourceLimits: true },
    });
    expect(listSchemaProblems(spec)).toEqual([]);
    expect(spec.linux.resources).toEqual({ devices: [{ allow: false, access: 'rwm' }] });
    expect(spec.process.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 }]);
    expect(spec.mounts.some((mount) => mount.destination === '/tmp')).toBe(false);
  });

  it('shares the host network and binds its resolver config with hostNetwork', () => {
    const sample = createSampleInput();
    const spec = generateRuntimeSpec({
      ...sample,
      serviceConfig: { ...sample.serviceConfig, sysctl: { 'kernel.msgmax': '65536' } },
      unit: { ...sample.unit, hostNetwork: true },
      existingHostPaths: ['/etc/ssl', '/etc/resolv.conf'],
    });
    expect(listSchemaProblems(spec)).toEqual([]);
    expect(spec.linux.namespaces.map((namespace) => namespace.type)).toEqual(['pid', 'ipc', 'uts', 'mount']);
    expect(
      spec.mounts
        .filter((mount) => mount.type === 'bind' && mount.options?.includes('ro'))
        .map((mount) => mount.destination),
    ).toEqual(['/etc/ssl', '/etc/resolv.conf']);
  });

  it('refuses net.* sysctls with the host network', () => {
    const sample = createSampleInput();
    expect(() => generateRuntimeSpec({ ...sample, unit: { ...sample.unit, hostNetwork: true } })).toThrow(
      expect.objectContaining({ code: 'invalid-sysctl' }),
    );
  });

  it('joins a prepared network namespace and adds a cgroup namespace on cgroup v2', () => {
    const sample = createSampleInput();
    const spec = generateRuntimeSpec({
      ...sample,
      instance: { ...sample.instance, networkNamespacePath: '/run/netns/x' },
      unit: { ...sample.unit, cgroupVersion: 2, cgroupParent: 'system.slice/openaos/' },
    });
    expect(listSchemaProblems(spec)).toEqual([]);
    expect(spec.linux.namespaces).toContainEqual({ type: 'network', path: '/run/netns/x' });
    expect(spec.linux.namespaces).toContainEqual({ type: 'cgroup' });
    expect(spec.linux.cgroupsPath).toBe('/system.slice/openaos/0a4e9f8e-6b1c-4d5e-9f2a-7c8b9d0e1f23');
  });

  it('resolves devices and resources from the unit settings', () => {
    const sample = createSampleInput();
    const spec = generateRuntimeSpec({
      ...sample,
      serviceConfig: { ...sample.serviceConfig, devices: [{ name: 'null0', permissions: 'rw' }], resources: ['dbus'] },
      unit: {
        ...sample.unit,
        devices: [{ name: 'null0', hostDevices: ['/dev/null:/dev/sink'], groups: [44] }],
        resources: [
          {
            name: 'dbus',
            groups: [81, 44],
            mounts: [{ destination: '/var/run/dbus', type: 'bind', source: '/var/run/dbus', options: ['rbind', 'rw'] }],
            env: ['DBUS_SYSTEM_BUS_ADDRESS=unix:path=/var/run/dbus/system_bus_socket'],
            hosts: [{ ip: '10.0.0.1', hostname: 'gateway' }],
          },
        ],
      },
      hostDevices: { '/dev/null': { type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 } },
    });
    expect(listSchemaProblems(spec)).toEqual([]);
    expect(spec.linux.devices).toEqual([
      { type: 'c', path: '/dev/sink', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
    ]);
    expect(spec.linux.resources.devices).toEqual([
      { allow: false, access: 'rwm' },
      { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' },
    ]);
    expect(spec.process.user.additionalGids).toEqual([81, 44]);
    expect(spec.mounts.map((mount) => mount.destination)).toContain('/var/run/dbus');
    expect(spec.process.env).toContain('DBUS_SYSTEM_BUS_ADDRESS=unix:path=/var/run/dbus/system_bus_socket');
  });

  it('applies cloud env overrides last but keeps the AOS_* identity', () => {
    const sample = createSampleInput();
    const spec = generateRuntimeSpec({
      ...sample,
      instance: { ...sample.instance, env: ['PYTHONUNBUFFERED=0', 'LEVEL=debug'] },
    });
    expect(spec.process.env).toContain('PYTHONUNBUFFERED=0');
    expect(spec.process.env.at(-1)).toBe('LEVEL=debug');
    expect(() =>
      generateRuntimeSpec({ ...sample, instance: { ...sample.instance, env: ['AOS_SERVICE_ID=other'] } }),
    ).toThrow(SpecError);
  });

  it('does not let the image env claim another identity', () => {
    const sample = createSampleInput();
    const spec = generateRuntimeSpec({
      ...sample,
      imageConfig: { ...sample.imageConfig, config: { Cmd: ['sh'], Env: ['AOS_SERVICE_ID=spoofed'] } },
    });
    expect(spec.process.env).toContain('AOS_SERVICE_ID=3f1b8c2e-0c57-4d4c-9a35-6f6d4b7d9e21');
    expect(spec.process.env).not.toContain('AOS_SERVICE_ID=spoofed');
  });
});
