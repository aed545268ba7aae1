import { mkdir, mkdtemp, readdir, rm, rmdir, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { packDirectory, readTarEntries } from '@openaos/archive';
import { parseServiceConfig } from '@openaos/config';
import { BlobStore, buildServiceImage, writeImageLayout } from '@openaos/image';
import type { DesiredStatus } from '../src/formats/desired-status.js';
import { execa } from 'execa';
import { Agent, type AgentOptions, type PassResult } from '../src/index.js';
import { parseCgroupMountPoints } from '../src/runtime/cgroup-hierarchies.js';

export const SERVICE_A = '6c5c1a04-1b1e-4a07-a2d5-0fe0b4b09d3f';
export const SERVICE_B = '0a7ac2b3-5d4e-4f11-9d3c-2e6a8a3f0c11';
export const SUBJECT = 'subject-1';

/** A config.yaml for a Python service with short restart parameters (so tests stay fast). */
export function serviceYaml(options: {
  uid: string;
  version: string;
  cmd: string;
  mem?: string;
  cpu?: number;
  runParameters?: string;
}): string {
  return `publisher:
    author: 'Agent Tests'
build:
    os: linux
    arch: x86_64
    sign_pkcs12: aos-user-sp.p12
publish:
    url: localhost
    service_uid: ${options.uid}
    version: "${options.version}"
configuration:
    cmd: ${options.cmd}
    workingDir: /srv/app
    quotas:
        mem: ${options.mem ?? '64MB'}
        cpu: ${options.cpu ?? 50}
    runParameters:
${options.runParameters ?? '        startInterval: PT1S\n        startBurst: 2\n        restartInterval: PT0.3S'}
    runners:
        - runc
`;
}

export interface TestImage {
  directory: string;
  manifestDigest: string;
  layerDigest: string;
}

/** Build an image layout (the output of `aos image build`) from a config.yaml and src/ files, the way the cloud does. */
export async function buildTestImage(
  directory: string,
  yaml: string,
  files: Record<string, string>,
): Promise<TestImage> {
  const source = join(directory, 'src');
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(source, name)), { recursive: true });
    await writeFile(join(source, name), content, { mode: 0o755 });
  }
  const config = parseServiceConfig(yaml, { file: 'meta/config.yaml' });
  const output = join(directory, 'image');
  const store = new BlobStore(output);
  const image = await buildServiceImage({
    config,
    entries: readTarEntries(packDirectory(source)),
    created: '2026-11-25T00:00:00Z',
    store,
  });
  await writeImageLayout(store, image.manifestDigest, output);
  return { directory: output, manifestDigest: image.manifestDigest, layerDigest: image.layerDigest };
}

export function desiredStatus(
  services: { id: string; version: string; image: TestImage; numInstances?: number; priority?: number }[],
): DesiredStatus {
  return {
    messageType: 'desiredStatus',
    services: services.map((service) => ({
      id: service.id,
      version: service.version,
      manifestDigest: service.image.manifestDigest,
      urls: [service.image.directory],
    })),
    instances: services.map((service) => ({
      serviceId: service.id,
      subjectId: SUBJECT,
      priority: service.priority ?? 0,
      numInstances: service.numInstances ?? 1,
    })),
  };
}

/** A temp dir with a tmpfs storage mounted in it and a private cgroup parent; `cleanup` removes all. */
export async function createTestBed(name: string) {
  const root = await mkdtemp(join(tmpdir(), `openaos-agent-${name}-`));
  const storageDir = join(root, 'storage');
  await mkdir(storageDir);
  await execa('mount', ['-t', 'tmpfs', '-o', 'size=512m', 'openaos-test', storageDir]);
  const cgroupParent = `/openaos-test-${name}-${process.pid}`;
  const agents: Agent[] = [];
  const options = (extra: Partial<AgentOptions> = {}): AgentOptions => ({
    storageDir,
    cgroupParent,
    stopTimeoutMs: 300,
    pollIntervalMs: 100,
    ...extra,
  });
  return {
    root,
    storageDir,
    cgroupParent,
    options,
    async openAgent(extra: Partial<AgentOptions> = {}): Promise<Agent> {
      const agent = await Agent.open(options(extra));
      agents.push(agent);
      return agent;
    },
    async cleanup(): Promise<void> {
      const last = agents.at(-1) ?? (await Agent.open(options()).catch(() => undefined));
      await last?.destroy().catch(() => undefined);
      for (const mount of (await readFile('/proc/self/mountinfo', 'utf8'))
        .split('\n')
        .map((line) => line.split(' ')[4] ?? '')
        .filter((point) => point.startsWith(storageDir))
        .reverse()) {
        await execa('umount', ['-l', mount], { reject: false });
      }
      for (const controller of await readdir('/sys/fs/cgroup')) {
        const dir = join('/sys/fs/cgroup', controller, cgroupParent);
        for (const child of await readdir(dir, { withFileTypes: true }).catch(() => []))
          if (child.isDirectory()) await rmdir(join(dir, child.name)).catch(() => undefined);
        await rmdir(dir).catch(() => undefined);
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Run reconcile passes until `check` holds or the timeout passes; returns the last pass. */
export async function reconcileUntil(
  agent: Agent,
  check: (pass: PassResult) => boolean,
  timeoutMs = 20_000,
): Promise<PassResult> {
  const deadline = Date.now() + timeoutMs;
  let pass = await agent.reconcileOnce();
  while (!check(pass)) {
    if (Date.now() > deadline) throw new Error(`timed out; last status: ${JSON.stringify(pass.status, null, 1)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    pass = await agent.reconcileOnce();
  }
  return pass;
}

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/** Start `aos-agent run` from source (tsx) as a separate process, like a real daemon. */
export function spawnDaemon(storageDir: string, cgroupParent: string, extraArgs: string[] = []) {
  const child = execa(
    'node',
    [
      '--conditions=source',
      '--import',
      'tsx',
      join(REPO_ROOT, 'apps/agent/src/main.ts'),
      'run',
      '--storage-dir',
      storageDir,
      '--cgroup-parent',
      cgroupParent,
      ...extraArgs,
    ],
    {
      cwd: REPO_ROOT,
      reject: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      all: true,
    },
  );
  return child;
}

/** Run the CLI from source and return stdout. */
export async function runCli(args: string[]): Promise<{ stdout: string; exitCode: number | undefined }> {
  const result = await execa(
    'node',
    ['--conditions=source', '--import', 'tsx', join(REPO_ROOT, 'apps/agent/src/main.ts'), ...args],
    { cwd: REPO_ROOT, reject: false },
  );
  return { stdout: result.stdout + result.stderr, exitCode: result.exitCode };
}

/** Poll a condition (async) until true or time out. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The container pid of an instance (from the pid file runc writes). */
export async function readInstancePid(storageDir: string, instanceId: string): Promise<number> {
  return Number(await readFile(join(storageDir, 'instances', instanceId, 'container.pid'), 'utf8'));
}

/** The directories of cgroup `path` (e.g. `/parent/<instanceId>`) that exist, in any hierarchy. */
export async function findCgroupDirs(path: string): Promise<string[]> {
  const mounts = parseCgroupMountPoints(await readFile('/proc/self/mountinfo', 'utf8'));
  const found: string[] = [];
  for (const mount of mounts) {
    const dir = join(mount, path);
    if (
      await readdir(dir).then(
        () => true,
        () => false,
      )
    )
      found.push(dir);
  }
  return found;
}
