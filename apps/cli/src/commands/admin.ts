import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { AppRouter } from '@openaos/api';
import { CLOUD_HTTP_PATHS } from '@openaos/protocol';
import { createTRPCClient, httpLink } from '@trpc/client';
import { aosHomePaths } from '../aos-home.js';
import { callCloud, createCloudClient, type CloudClient, type CloudOutputs } from '../cloud/cloud-client.js';
import { normaliseCloudUrl, readCloudSettings, resolveCloudTarget } from '../cloud/cloud-settings.js';
import { CliError } from '../errors.js';

/**
 * `aos admin …`: what the console's "Admin" page does, for self-hosters who script their setup.
 * Every call is signed with the admin's own credential (`$AOS_HOME/security/aos-user-admin.p12`,
 * which `aos admin credential` fetches with the admin's password once).
 */

export type OrganisationView = CloudOutputs['organisations']['list'][number];
export type UserView = CloudOutputs['users']['list'][number];

/** The admin's credential file, by the name the cloud gives it (`aos-user-<role>.p12`). */
export const ADMIN_PKCS12_NAME = 'aos-user-admin.p12';

export interface AdminTargetOptions {
  aosHome: string;
  url?: string;
  /** `--pkcs12`; default `$AOS_HOME/security/aos-user-admin.p12`. */
  pkcs12?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function adminClient(options: AdminTargetOptions, action: string): Promise<{ client: CloudClient; url: string }> {
  const pkcs12 = options.pkcs12 ?? join(aosHomePaths(options.aosHome).securityDir, ADMIN_PKCS12_NAME);
  const target = await resolveCloudTarget({ ...options, pkcs12 }, action).catch((error: unknown) => {
    if (error instanceof CliError && error.code === 'not-found' && options.pkcs12 === undefined) {
      throw new CliError('not-found', action, `no admin credential at ${pkcs12}`, {
        cause: error,
        hint: 'fetch it once with `aos admin credential --email admin --password-file <file>` (or pass --pkcs12)',
      });
    }
    throw error;
  });
  return { client: createCloudClient(target), url: target.url };
}

// ---- organisations ---------------------------------------------------------------------------

export async function runOrganisationList(options: AdminTargetOptions): Promise<OrganisationView[]> {
  const action = 'listing organisations';
  const { client, url } = await adminClient(options, action);
  return callCloud(action, url, () => client.organisations.list.query());
}

export async function runOrganisationCreate(
  options: AdminTargetOptions & { name: string; kind: 'sp' | 'oem' },
): Promise<OrganisationView> {
  const action = `creating organisation "${options.name}"`;
  const { client, url } = await adminClient(options, action);
  return callCloud(action, url, () => client.organisations.create.mutate({ name: options.name, kind: options.kind }));
}

// ---- users -------------------------------------------------------------------------------------

export async function runUserList(options: AdminTargetOptions): Promise<UserView[]> {
  const action = 'listing users';
  const { client, url } = await adminClient(options, action);
  return callCloud(action, url, () => client.users.list.query());
}

export interface UserCreateOptions extends AdminTargetOptions {
  email: string;
  name: string;
  role: 'admin' | 'sp' | 'oem';
  /** Organisation ID or exact name; required for SP and OEM users. */
  organisation?: string;
  /** A file holding the initial password ('-' for stdin); generated and printed once when absent. */
  passwordFile?: string;
  readStdin?: () => Promise<string>;
}

export interface UserCreateResult {
  user: UserView;
  /** The generated initial password: shown only now. */
  password?: string;
}

export async function runUserCreate(options: UserCreateOptions): Promise<UserCreateResult> {
  const action = `creating user ${options.email}`;
  const { client, url } = await adminClient(options, action);
  const organisationId = options.organisation
    ? await findOrganisationId(client, url, options.organisation, action)
    : undefined;
  const password = options.passwordFile
    ? await readPassword(options.passwordFile, action, options.readStdin)
    : undefined;
  return callCloud(action, url, () =>
    client.users.create.mutate({
      email: options.email,
      name: options.name,
      role: options.role,
      ...(organisationId ? { organisationId } : {}),
      ...(password !== undefined ? { password } : {}),
    }),
  );
}

/** Deactivate a user (by ID or email): their sessions end and their credentials stop working at once. */
export async function runUserDeactivate(options: AdminTargetOptions & { user: string }): Promise<UserView> {
  const action = `deactivating user ${options.user}`;
  const { client, url } = await adminClient(options, action);
  const id = await findUserId(client, url, options.user, action);
  return callCloud(action, url, () => client.users.setActive.mutate({ id, isActive: false }));
}

export interface IssuedCredentialResult {
  path: string;
  fileName: string;
  fingerprint256: string;
  user: string;
}

/** Issue a credential for a user (by ID or email) and write it (the key exists only in this file). */
export async function runUserCredential(
  options: AdminTargetOptions & { user: string; output?: string },
): Promise<IssuedCredentialResult> {
  const action = `issuing a credential for ${options.user}`;
  const { client, url } = await adminClient(options, action);
  const userId = await findUserId(client, url, options.user, action);
  const issued = await callCloud(action, url, () => client.credentials.issue.mutate({ userId }));
  const path = resolve(options.output ?? join(aosHomePaths(options.aosHome).securityDir, issued.fileName));
  await writeCredential(path, issued.pkcs12Base64, action);
  return { path, fileName: issued.fileName, fingerprint256: issued.fingerprint256, user: options.user };
}

// ---- the admin's own credential -----------------------------------------------------------------

export interface AdminCredentialOptions {
  aosHome: string;
  url?: string;
  email: string;
  passwordFile: string;
  output?: string;
  readStdin?: () => Promise<string>;
}

/**
 * Sign in with email and password (the console's sign-in), issue a credential for that user,
 * write it (default `$AOS_HOME/security/aos-user-<role>.p12`) and sign out. From then on the
 * CLI signs every request with it; the password is not kept.
 */
export async function runAdminCredential(options: AdminCredentialOptions): Promise<IssuedCredentialResult> {
  const action = `fetching a credential for ${options.email}`;
  const rawUrl = options.url ?? (await readCloudSettings(options.aosHome))?.url;
  if (!rawUrl) {
    throw new CliError('usage', action, 'no cloud address', { hint: 'pass --url <cloud URL> (or set AOS_CLOUD_URL)' });
  }
  const url = normaliseCloudUrl(rawUrl, action);
  const password = await readPassword(options.passwordFile, action, options.readStdin);
  const client = createSessionClient(url);
  await callCloud(`${action}: signing in`, url, () =>
    client.auth.signIn.mutate({ email: options.email, password }),
  ).catch((error: unknown) => {
    if (error instanceof CliError && /HTTP 401/.test(error.message)) {
      throw new CliError('failed', action, `${error.message}`, {
        cause: error,
        hint: 'check the email and password (the first start of the cloud printed the admin password)',
      });
    }
    throw error;
  });
  try {
    const issued = await callCloud(action, url, () => client.credentials.issue.mutate());
    const path = resolve(options.output ?? join(aosHomePaths(options.aosHome).securityDir, issued.fileName));
    await writeCredential(path, issued.pkcs12Base64, action);
    return { path, fileName: issued.fileName, fingerprint256: issued.fingerprint256, user: options.email };
  } finally {
    await client.auth.signOut.mutate().catch(() => undefined);
  }
}

/** A tRPC client that keeps the session cookie the sign-in sets (the console's way of signing in). */
function createSessionClient(url: string): CloudClient {
  let cookie = '';
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${url}${CLOUD_HTTP_PATHS.trpc}`,
        headers: () => (cookie ? { cookie } : {}),
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          const set = response.headers.getSetCookie();
          if (set.length > 0) cookie = set.map((value) => value.split(';')[0]).join('; ');
          return response;
        },
      }),
    ],
  });
}

// ---- helpers -----------------------------------------------------------------------------------

async function findOrganisationId(client: CloudClient, url: string, value: string, action: string): Promise<string> {
  if (UUID.test(value)) return value;
  const organisations = await callCloud(`${action}: listing organisations`, url, () =>
    client.organisations.list.query(),
  );
  const found = organisations.find((organisation) => organisation.name === value);
  if (!found) {
    throw new CliError('not-found', action, `--organisation: no organisation is called "${value}"`, {
      hint: 'give its ID or exact name (`aos admin organisation list`)',
    });
  }
  return found.id;
}

async function findUserId(client: CloudClient, url: string, value: string, action: string): Promise<string> {
  if (UUID.test(value)) return value;
  const users = await callCloud(`${action}: listing users`, url, () => client.users.list.query());
  const email = value.trim().toLowerCase();
  const found = users.find((user) => user.email === email);
  if (!found) {
    throw new CliError('not-found', action, `no user has the email "${value}"`, {
      hint: 'give the user ID or email (`aos admin user list`)',
    });
  }
  return found.id;
}

async function readPassword(file: string, action: string, readStdin?: () => Promise<string>): Promise<string> {
  let text: string;
  try {
    text = file === '-' ? await (readStdin ?? readProcessStdin)() : await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError('not-found', action, `--password-file: cannot read ${file}: ${(error as Error).message}`, {
      cause: error,
      hint: "give a file holding the password (mode 600), or '-' to read it from stdin",
    });
  }
  const password = text.replace(/\r?\n$/, '');
  if (password.length === 0) {
    throw new CliError('usage', action, `--password-file: ${file === '-' ? 'stdin' : file} is empty`, {
      hint: 'put the password on its first line',
    });
  }
  return password;
}

async function readProcessStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

async function writeCredential(path: string, pkcs12Base64: string, action: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(path, Buffer.from(pkcs12Base64, 'base64'), { mode: 0o600 });
  } catch (error) {
    throw new CliError('failed', action, `writing ${path}: ${(error as Error).message}`, {
      cause: error,
      hint: 'choose a writable place with --output',
    });
  }
}
