/**
 * `aos admin …` against the built cloud (a child process on PGlite), through the real `aos`
 * binary: the admin fetches a credential with the first start's password, creates an SP
 * organisation and a user in it, issues that user's credential, which the cloud then accepts;
 * deactivating the user makes the same credential refused. Every command's --json is parsed.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDirectory, CLOUD_START_TIMEOUT_MS, startCloudProcess, type CloudProcess } from './cloud-process.js';

const cliBin = join(appDirectory, '..', 'cli', 'bin', 'aos.js');
const ADMIN_PASSWORD = 'admin password for admin-cli tests';

interface Result {
  stdout: string;
  stderr: string;
  exitCode: number;
}

describe('aos admin against the built cloud', () => {
  let root: string;
  let cloud: CloudProcess;
  let aosHome: string;
  let passwordFile: string;

  const aos = (args: string[], home = aosHome) =>
    new Promise<Result>((resolve) => {
      execFile(
        process.execPath,
        [cliBin, ...args],
        { cwd: root, env: { ...process.env, AOS_HOME: home, AOS_CLOUD_URL: cloud.url, AOS_DEBUG: '', NO_COLOR: '1' } },
        (error, stdout, stderr) =>
          resolve({ stdout, stderr, exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0 }),
      );
    });
  const aosJson = async <T>(args: string[], home = aosHome): Promise<T> => {
    const result = await aos([...args, '--json'], home);
    if (result.exitCode !== 0) throw new Error(`aos ${args.join(' ')} exited ${result.exitCode}:\n${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'openaos-admin-cli-'));
    aosHome = join(root, 'admin-home');
    passwordFile = join(root, 'admin-password');
    await writeFile(passwordFile, `${ADMIN_PASSWORD}\n`, { mode: 0o600 });
    cloud = await startCloudProcess({ dataDir: join(root, 'cloud'), env: { OPENAOS_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  }, CLOUD_START_TIMEOUT_MS);

  afterAll(async () => {
    await cloud?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('without a credential, says how to get one', async () => {
    const result = await aos(['admin', 'organisation', 'list']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('no admin credential at');
    expect(result.stderr).toContain('aos admin credential --email admin --password-file');
  });

  it('a wrong password is refused with a hint, and writes nothing', async () => {
    const wrong = join(root, 'wrong-password');
    await writeFile(wrong, 'not the password at all');
    const result = await aos(['admin', 'credential', '--email', 'admin', '--password-file', wrong]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('check the email and password');
    await expect(stat(join(aosHome, 'security', 'aos-user-admin.p12'))).rejects.toThrow();
  });

  // One step per test, in order: each runs a few `aos` processes, and later steps use what earlier ones made.
  let organisation: { id: string; kind: string };
  let aliceHome: string;
  let issued: { path: string; fileName: string };

  it('fetches the admin credential with the password', async () => {
    const credential = await aosJson<{ path: string; fileName: string }>([
      'admin',
      'credential',
      '--email',
      'admin',
      '--password-file',
      passwordFile,
    ]);
    expect(credential.fileName).toBe('aos-user-admin.p12');
    expect(credential.path).toBe(join(aosHome, 'security', 'aos-user-admin.p12'));
    expect((await stat(credential.path)).mode & 0o777).toBe(0o600);
  });

  it('creates organisations, refuses a duplicate name, lists them', async () => {
    organisation = await aosJson<{ id: string; kind: string }>([
      'admin',
      'organisation',
      'create',
      '--name',
      'Acme Services',
      '--kind',
      'sp',
    ]);
    expect(organisation.kind).toBe('sp');
    const duplicate = await aos(['admin', 'organisation', 'create', '--name', 'Acme Services', '--kind', 'sp']);
    expect(duplicate.exitCode).toBe(1);
    expect(duplicate.stderr).toContain('an organisation with that name exists');
    const organisations = await aosJson<{ id: string; name: string }[]>(['admin', 'organisation', 'list']);
    expect(organisations.map((item) => item.name)).toEqual(['Acme Services']);
  });

  it('creates a user in an organisation given by name, and refuses a wrong kind or an unknown organisation', async () => {
    // By name, with a generated password shown once.
    const created = await aosJson<{ user: { id: string; email: string; organisationId: string }; password: string }>([
      'admin',
      'user',
      'create',
      '--email',
      'Alice@Acme.example',
      '--name',
      'Alice',
      '--role',
      'sp',
      '--organisation',
      'Acme Services',
    ]);
    expect(created.user.email).toBe('alice@acme.example');
    expect(created.user.organisationId).toBe(organisation.id);
    expect(created.password.length).toBeGreaterThanOrEqual(12);

    // An OEM user in an SP organisation is refused, naming why.
    const wrongKind = await aos([
      'admin',
      'user',
      'create',
      '--email',
      'olga@acme.example',
      '--name',
      'Olga',
      '--role',
      'oem',
      '--organisation',
      organisation.id,
    ]);
    expect(wrongKind.exitCode).toBe(1);
    expect(wrongKind.stderr).toContain('its users must have the SP role');
    const unknown = await aos([
      'admin',
      'user',
      'create',
      '--email',
      'x@y',
      '--name',
      'X',
      '--role',
      'sp',
      '--organisation',
      'Nope',
    ]);
    expect(unknown.stderr).toContain('--organisation: no organisation is called "Nope"');
  });

  it("issues the user's credential, which the cloud accepts as that user", async () => {
    // Alice's credential, issued by the admin, is accepted by the cloud as Alice.
    aliceHome = join(root, 'alice-home');
    await mkdir(join(aliceHome, 'security'), { recursive: true });
    issued = await aosJson<{ path: string; fileName: string }>([
      'admin',
      'user',
      'credential',
      'alice@acme.example',
      '--output',
      join(aliceHome, 'security', 'aos-user-sp.p12'),
    ]);
    expect(issued.fileName).toBe('aos-user-sp.p12');
    const login = await aosJson<{ user: { email: string; role: string } }>(['login', '--url', cloud.url], aliceHome);
    expect(login.user).toMatchObject({ email: 'alice@acme.example', role: 'sp' });
  });

  it('lists users; a deactivated user is refused at once; a non-admin may not run admin commands', async () => {
    const users = await aosJson<{ email: string; isActive: boolean }[]>(['admin', 'user', 'list']);
    expect(users.map((user) => user.email).sort()).toEqual(['admin', 'alice@acme.example']);
    const listText = await aos(['admin', 'user', 'list']);
    expect(listText.stdout).toMatch(/alice@acme\.example\s+Alice\s+sp\s+Acme Services\s+yes/);

    // Deactivated: the same credential stops working at once.
    const deactivated = await aosJson<{ isActive: boolean }>(['admin', 'user', 'deactivate', 'alice@acme.example']);
    expect(deactivated.isActive).toBe(false);
    const refused = await aos(['service', 'list'], aliceHome);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('HTTP 401');

    // Alice's credential may not run admin commands.
    const notAdmin = await aos([
      'admin',
      'organisation',
      'create',
      '--name',
      'X',
      '--kind',
      'oem',
      '--pkcs12',
      issued.path,
    ]);
    expect(notAdmin.exitCode).toBe(1);
  });

  it('aos --help groups the commands as the docs do', async () => {
    const help = await aos(['--help']);
    const headings = help.stdout.split('\n').filter((line) => /^[A-Z].*:$/.test(line));
    expect(headings).toEqual(
      expect.arrayContaining([
        'Package a service (local):',
        'Publish (SP):',
        'Fleet (OEM):',
        'Administration (admin):',
      ]),
    );
    expect(help.stdout.indexOf('Administration (admin):')).toBeLessThan(help.stdout.indexOf('  admin '));
  });
});
