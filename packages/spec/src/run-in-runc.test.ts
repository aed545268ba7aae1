/**
 * The generated spec against the real runtime: runc 1.1 must accept it, and the limits, the
 * identity and the mounts must be what the process sees inside. Root and /usr/sbin/runc only.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, lstat, mkdir, mkdtemp, readlink, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExistingHostPaths } from './find-existing-host-paths.js';
import { generateRuntimeSpec } from './generate-runtime-spec.js';
import { listHostMounts } from './apply-host-mounts.js';
import { readHostDevices } from './read-host-devices.js';
import type { RuntimeSpec } from './runtime-spec.js';
import { createSampleInput } from './testing/sample-input.js';
import type { RuntimeSpecInput } from './types.js';

const RUNC = '/usr/sbin/runc';
const isRoot = process.getuid?.() === 0;
const hasRunc = existsSync(RUNC);
const skipReason = !isRoot ? 'needs root to run containers' : !hasRunc ? `no runc at ${RUNC}` : '';
const run = promisify(execFile);

// Where this machine mounts the cgroup v1 controllers (DESIGN.md: runc 1.1, cgroup v1); runc
// also creates the container's cgroup in the hybrid host's unified hierarchy.
const CGROUP_CONTROLLERS = [
  'memory',
  'cpu',
  'cpuacct',
  'pids',
  'devices',
  'freezer',
  'blkio',
  'cpuset',
  'systemd',
  'unified',
];
const HOST_BASE = ['bin', 'sbin', 'lib', 'lib64', 'usr'];

const PROBE = [
  'cat /sys/fs/cgroup/memory/memory.limit_in_bytes',
  'cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes',
  'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us',
  'cat /sys/fs/cgroup/cpu/cpu.cfs_period_us',
  'cat /sys/fs/cgroup/pids/pids.max',
  'echo "$AOS_SERVICE_ID $AOS_INSTANCE_INDEX"',
  'id -u; id -g',
  'ulimit -n',
  // dash has no `ulimit -u`; /proc/self/limits holds the soft value in the third field
  'set -- $(grep "Max processes" /proc/self/limits); echo $3',
  'hostname',
  'pwd',
  'echo state > /state.dat && cat /state.dat',
  'echo kept > /storage/file && cat /storage/file',
  'echo scratch > /tmp/file && cat /tmp/file',
  'test -d /etc/ssl && echo ssl-visible',
  '(touch /etc/ssl/x 2>/dev/null && echo ssl-writable) || echo ssl-read-only',
].join('; ');

describe.skipIf(skipReason !== '')(
  `runc accepts the generated spec${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let directory = '';
    let bundle = '';
    const cgroupParent = `/openaos-spec-test-${process.pid}`;
    const input: { value?: RuntimeSpecInput } = {};

    beforeAll(async () => {
      directory = await mkdtemp(join(tmpdir(), 'openaos-spec-runc-'));
      bundle = join(directory, 'bundle');
      const rootfs = join(bundle, 'rootfs');
      await mkdir(rootfs, { recursive: true });
      // The host base the service sees (reference §4.2 hostBinds): symlinks copied as they are
      // (merged /usr), directories bound read-only below.
      for (const name of HOST_BASE) {
        const info = await lstat(`/${name}`).catch(() => undefined);
        if (info?.isSymbolicLink()) await symlink(await readlink(`/${name}`), join(rootfs, name));
        else if (info?.isDirectory()) await mkdir(join(rootfs, name));
      }
      const state = join(directory, 'state.dat');
      const storage = join(directory, 'storage');
      await writeFile(state, '');
      await mkdir(storage);
      await chown(state, 5001, 5000);
      await chown(storage, 5001, 5000);
      const sample = createSampleInput();
      input.value = {
        ...sample,
        imageConfig: {
          architecture: 'amd64',
          os: 'linux',
          config: { Entrypoint: ['/bin/sh', '-c'], Cmd: [PROBE], WorkingDir: '/storage' },
        },
        instance: {
          ...sample.instance,
          instanceId: `spec-test-${process.pid}`,
          rootfsPath: rootfs,
          statePath: state,
          storagePath: storage,
        },
        unit: { ...sample.unit, cgroupParent },
        existingHostPaths: await findExistingHostPaths(listHostMounts(sample.unit)),
      };
    });

    afterAll(async () => {
      if (input.value !== undefined)
        await run(RUNC, ['--root', join(directory, 'state'), 'delete', '-f', input.value.instance.instanceId]).catch(
          () => undefined,
        );
      for (const controller of CGROUP_CONTROLLERS) {
        await rmdir(`/sys/fs/cgroup/${controller}${cgroupParent}`).catch(() => undefined);
      }
      if (directory !== '') await rm(directory, { recursive: true, force: true });
    });

    /** Write config.json and run the container in the foreground; returns its output lines. */
    async function runContainer(spec: RuntimeSpec): Promise<string[]> {
      // Test-only: the base directories a device gets from the rootfs overlay, as read-only binds.
      for (const name of HOST_BASE) {
        const info = await lstat(`/${name}`).catch(() => undefined);
        if (info?.isDirectory() === true)
          spec.mounts.push({ destination: `/${name}`, type: 'bind', source: `/${name}`, options: ['rbind', 'ro'] });
      }
      await writeFile(join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
      const { stdout } = await run(
        RUNC,
        ['--root', join(directory, 'state'), 'run', '--bundle', bundle, input.value!.instance.instanceId],
        {
          timeout: 30_000,
        },
      );
      return stdout.trim().split('\n');
    }

    it('runs the service with its limits, identity and mounts', async () => {
      const lines = await runContainer(generateRuntimeSpec(input.value!));
      expect(lines).toEqual([
        String(64 * 1024 * 1024),
        String(64 * 1024 * 1024), // memory+swap = memory: no swapping past the quota
        '50000',
        '100000',
        '32',
        '3f1b8c2e-0c57-4d4c-9a35-6f6d4b7d9e21 1',
        '5001',
        '5000',
        '256',
        '32',
        'hello',
        '/storage',
        'state',
        'kept',
        'scratch',
        'ssl-visible',
        'ssl-read-only',
      ]);
    });

    it('shares the host network and passes a unit device through with hostNetwork', async () => {
      const base = input.value!;
      const unit = {
        ...base.unit,
        hostNetwork: true,
        devices: [{ name: 'sink', hostDevices: ['/dev/null:/dev/sink'] }],
      };
      const spec = generateRuntimeSpec({
        ...base,
        imageConfig: {
          ...base.imageConfig,
          config: {
            Entrypoint: ['/bin/sh', '-c'],
            Cmd: [
              'echo x > /dev/sink && echo sink-ok; test -f /etc/resolv.conf && echo resolv-visible; readlink /proc/self/ns/net',
            ],
          },
        },
        serviceConfig: { ...base.serviceConfig, sysctl: {}, devices: [{ name: 'sink', permissions: 'rw' }] },
        unit,
        existingHostPaths: await findExistingHostPaths(listHostMounts(unit)),
        hostDevices: await readHostDevices(['/dev/null']),
      });
      const lines = await runContainer(spec);
      const { stdout: hostNamespace } = await run('readlink', ['/proc/self/ns/net']);
      expect(lines.slice(0, 1)).toEqual(['sink-ok']);
      expect(lines.at(-1)).toBe(hostNamespace.trim());
      if (existsSync('/etc/resolv.conf')) expect(lines).toContain('resolv-visible');
    });
  },
);
