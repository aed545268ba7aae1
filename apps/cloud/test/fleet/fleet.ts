/**
 * Tests only: a whole OpenAos installation as a new user runs it — the built cloud as a child
 * process (PGlite in its data dir, or a throwaway PostgreSQL database), an SP and an OEM
 * organisation with one user each whose credentials sit in an `AOS_HOME`, and the real `aos`
 * command to drive it. Units (the real agent) are in ./unit.ts.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DEFAULT_TEST_DATABASE_URL } from '@openaos/db';
import { CLOUD_HTTP_PATHS } from '@openaos/protocol';
import { appDirectory, startCloudProcess, type CloudProcess } from '../cloud-process.js';

export type DatabaseKind = 'pglite' | 'postgres';

const cliBin = join(appDirectory, '..', 'cli', 'bin', 'aos.js');
/** The fleet admin's password (tests that add organisations of their own sign in with it). */
export const FLEET_ADMIN_PASSWORD = 'admin password for fleet tests';
const ADMIN_PASSWORD = FLEET_ADMIN_PASSWORD;

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface Fleet {
  readonly url: string;
  readonly root: string;
  readonly aosHome: string;
  cloud: CloudProcess;
  /** Run `aos` with the fleet's AOS_HOME; throws with its output unless it exits with `expectExit` (0). */
  aos(args: string[], options?: { cwd?: string; expectExit?: number }): Promise<CommandResult>;
  /** `aos … --json`, parsed. */
  aosJson<T>(args: string[], options?: { cwd?: string }): Promise<T>;
  /** Stop the cloud (SIGTERM) and start it again on the same data and port. */
  restartCloud(options?: { kill?: boolean }): Promise<void>;
  close(): Promise<void>;
}

/** Start the cloud on `database`, make the SP and OEM users, and log `aos` in. */
export async function startFleet(database: DatabaseKind): Promise<Fleet> {
  const root = await mkdtemp(join(tmpdir(), `openaos-fleet-${database}-`));
  const aosHome = join(root, 'aos-home');
  await mkdir(join(aosHome, 'security'), { recursive: true });
  const postgres = database === 'postgres' ? await createPostgresDatabase() : undefined;
  const env = {
    OPENAOS_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
  };
  let cloud = await startCloudProcess({ dataDir: join(root, 'cloud'), env });
  const port = Number(new URL(cloud.url).port);

  const run = (args: string[], options: { cwd?: string; expectExit?: number } = {}) =>
    new Promise<CommandResult>((resolve, reject) => {
      execFile(
        process.execPath,
        [cliBin, ...args],
        {
          cwd: options.cwd ?? root,
          env: { ...process.env, AOS_HOME: aosHome, AOS_CLOUD_URL: '', AOS_DEBUG: '', NO_COLOR: '1' },
          maxBuffer: 16 * 1024 * 1024,
        },
        (error, stdout, stderr) => {
          const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          const result = { stdout, stderr, exitCode };
          if (exitCode !== (options.expectExit ?? 0)) {
            reject(new Error(`aos ${args.join(' ')} exited ${exitCode}:\n${stdout}\n${stderr}`));
          } else resolve(result);
        },
      );
    });

  const fleet: Fleet = {
    get url() {
      return cloud.url;
    },
    root,
    aosHome,
    get cloud() {
      return cloud;
    },
    aos: run,
    async aosJson<T>(args: string[], options: { cwd?: string } = {}) {
      const result = await run([...args, '--json'], options);
      try {
        return JSON.parse(result.stdout) as T;
      } catch (error) {
        throw new Error(`aos ${args.join(' ')} --json printed no JSON:\n${result.stdout}\n${result.stderr}`, {
          cause: error,
        });
      }
    },
    async restartCloud(options = {}) {
      if (options.kill) await cloud.kill();
      else await cloud.stop();
      cloud = await startCloudProcess({ dataDir: join(root, 'cloud'), port, env });
    },
    async close() {
      await cloud.stop().catch(() => undefined);
      await postgres?.drop();
      await rm(root, { recursive: true, force: true });
    },
  };

  try {
    await createUsers(cloud.url, aosHome);
    await run(['login', '--url', cloud.url]);
  } catch (error) {
    await fleet.close();
    throw error;
  }
  return fleet;
}

/** As the admin: an SP and an OEM organisation, a user in each, their credentials into AOS_HOME. */
async function createUsers(url: string, aosHome: string): Promise<void> {
  const signIn = await fetch(`${url}${CLOUD_HTTP_PATHS.trpc}/auth.signIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin', password: ADMIN_PASSWORD }),
  });
  if (!signIn.ok) throw new Error(`admin sign-in: HTTP ${signIn.status} ${await signIn.text()}`);
  const cookie = signIn.headers
    .getSetCookie()
    .map((value) => value.split(';')[0])
    .join('; ');
  const call = async <T>(procedure: string, input: unknown): Promise<T> => {
    const response = await fetch(`${url}${CLOUD_HTTP_PATHS.trpc}/${procedure}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify(input),
    });
    const body = (await response.json()) as { result?: { data: T }; error?: unknown };
    if (!response.ok || !body.result) throw new Error(`${procedure}: HTTP ${response.status} ${JSON.stringify(body)}`);
    return body.result.data;
  };
  for (const [kind, email] of [
    ['sp', 'sp@fleet.example'],
    ['oem', 'oem@fleet.example'],
  ] as const) {
    const organisation = await call<{ id: string }>('organisations.create', { name: `Fleet ${kind}`, kind });
    const created = await call<{ user: { id: string } }>('users.create', {
      email,
      name: kind.toUpperCase(),
      role: kind,
      organisationId: organisation.id,
    });
    const issued = await call<{ fileName: string; pkcs12Base64: string }>('credentials.issue', {
      userId: created.user.id,
    });
    await writeFile(join(aosHome, 'security', issued.fileName), Buffer.from(issued.pkcs12Base64, 'base64'), {
      mode: 0o600,
    });
  }
}

/** A fresh database next to TEST_DATABASE_URL, dropped (with its connections) by `drop`. */
async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
  const name = `openaos_fleet_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

export interface UploadedVersion {
  serviceId: string;
  versionId: string;
  version: string;
  directory: string;
}

/**
 * As the SP: a service made with `aos init` (its Python hello world, or `files` in src/ with
 * `cmd`), signed and uploaded with `aos go`. Returns once the version is ready.
 */
export async function createService(
  fleet: Fleet,
  options: { title: string; version?: string; cmd?: string; files?: Record<string, string> },
): Promise<UploadedVersion> {
  const created = await fleet.aosJson<{ id: string }>(['service', 'create', '--title', options.title]);
  const directory = join(fleet.root, `service-${created.id}`);
  await fleet.aos(['init', directory, '--service-uid', created.id, '--no-dev-credential']);
  return uploadVersion(fleet, { ...options, serviceId: created.id, directory, version: options.version ?? '1.0.0' });
}

/** As the SP: change the service in `directory` (version, cmd, src files), sign and upload it. */
export async function uploadVersion(
  fleet: Fleet,
  options: { serviceId: string; directory: string; version: string; cmd?: string; files?: Record<string, string> },
): Promise<UploadedVersion> {
  const configPath = join(options.directory, 'meta', 'config.yaml');
  let config = await readFile(configPath, 'utf8');
  config = config.replace(/^(\s*version:\s*).*$/m, `$1"${options.version}"`);
  if (options.cmd) config = config.replace(/^(\s*cmd:\s*).*$/m, `$1${options.cmd}`);
  await writeFile(configPath, config);
  for (const [name, content] of Object.entries(options.files ?? {})) {
    await writeFile(join(options.directory, 'src', name), content, { mode: 0o755 });
  }
  const go = await fleet.aosJson<{ upload: { id: string; state: string; version: string } }>([
    'go',
    '-C',
    options.directory,
  ]);
  if (go.upload.state !== 'ready') throw new Error(`aos go: version ${options.version} is ${go.upload.state}`);
  return {
    serviceId: options.serviceId,
    versionId: go.upload.id,
    version: options.version,
    directory: options.directory,
  };
}
