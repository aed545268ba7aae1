// Shared helpers of the agent benchmarks (agent-startup.mjs, agent-memory.mjs). Root only.
import { Buffer } from 'node:buffer';
import { mkdir, readFile, rm, rmdir, readdir } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseServiceConfig } from '@openaos/config';
import { BlobStore, buildServiceImage, writeImageLayout } from '@openaos/image';
import { execa } from 'execa';

export const benchDirectory = dirname(fileURLToPath(import.meta.url));
export const SERVICE_ID = '3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b';
export const SUBJECT_ID = 'bench-subject';

export function requireRoot(name) {
  if (process.getuid?.() !== 0) {
    console.log(`${name}: skipped (needs root for runc, mounts and cgroups)`);
    process.exit(0);
  }
}

async function isMountPoint(path) {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text.split('\n').some((line) => line.split(' ')[4] === path);
}

/** A work dir with a tmpfs for the agent's storage (overlayfs needs it apart from the host root). */
export async function prepareStorage(name) {
  const root = join(benchDirectory, '.work', name);
  const storageDir = join(root, 'storage');
  await mkdir(storageDir, { recursive: true });
  if (!(await isMountPoint(storageDir)))
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=256m', 'openaos-bench', storageDir]);
  return { root, storageDir };
}

/** Unmount everything under `root` (deepest first), remove cgroups under `cgroupParent`, delete the dir. */
export async function cleanupStorage(root, cgroupParent) {
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8'))
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith(root))
    .sort((a, b) => b.length - a.length);
  for (const mount of mounts) await execa('umount', ['-l', mount], { reject: false });
  for (const controller of await readdir('/sys/fs/cgroup').catch(() => [])) {
    const dir = join('/sys/fs/cgroup', controller, cgroupParent);
    for (const child of await readdir(dir, { withFileTypes: true }).catch(() => []))
      if (child.isDirectory()) await rmdir(join(dir, child.name)).catch(() => undefined);
    await rmdir(dir).catch(() => undefined);
  }
  await rm(root, { recursive: true, force: true });
}

function entry(name, type, content) {
  const body = content === undefined ? undefined : Buffer.from(content);
  return {
    name,
    type,
    size: body?.length ?? 0,
    mode: type === 'directory' ? 0o755 : 0o755,
    mtime: new Date(0),
    uid: 0,
    gid: 0,
    ...(body ? { body: Readable.from([body]) } : {}),
  };
}

/** Build a small Python service image (a sleeper that prints once) into `<root>/image`, as `aos image build` does. */
export async function buildBenchImage(root) {
  const yaml = `publisher:
    author: bench
build:
    os: linux
    arch: x86_64
    sign_pkcs12: aos-user-sp.p12
publish:
    url: localhost
    service_uid: ${SERVICE_ID}
    version: "1.0.0"
configuration:
    cmd: python3 -u /srv/app/main.py
    workingDir: /srv/app
    quotas:
        mem: 64MB
        cpu: 50
    runners:
        - runc
`;
  const config = parseServiceConfig(yaml, { file: 'meta/config.yaml' });
  async function* entries() {
    yield entry('srv', 'directory');
    yield entry('srv/app', 'directory');
    yield entry('srv/app/main.py', 'file', 'import time\nprint("up", flush=True)\ntime.sleep(3600)\n');
  }
  const directory = join(root, 'image');
  const store = new BlobStore(directory);
  const image = await buildServiceImage({ config, entries: entries(), created: '2026-11-25T00:00:00Z', store });
  await writeImageLayout(store, image.manifestDigest, directory);
  return { directory, manifestDigest: image.manifestDigest };
}

export function desiredStatus(image, numInstances) {
  return {
    messageType: 'desiredStatus',
    services: [{ id: SERVICE_ID, version: '1.0.0', manifestDigest: image.manifestDigest, urls: [image.directory] }],
    instances: numInstances > 0 ? [{ serviceId: SERVICE_ID, subjectId: SUBJECT_ID, numInstances }] : [],
  };
}

export const sleep = (ms) => delay(ms);

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
