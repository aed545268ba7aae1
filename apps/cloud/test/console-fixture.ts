/**
 * Tests only: what the console's browser tests share. A cloud on a throwaway PostgreSQL database
 * seeded in-process (the cloud core on the same data dir and database, as
 * packages/api/src/testing/cloud-fixture.ts does, then closed), the built cloud started on it as
 * a real process, headless Chromium, signing in through the sign-in page, screenshots.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  createCaller,
  createContextForActor,
  startCloudCore,
  type Actor,
  type CloudDependencies,
  type Role,
} from '@openaos/api';
import { TEST_PASSWORD_HASH_COST } from '@openaos/api/testing';
import { createThrowawayDatabase, schema, seedPgliteDataDir, type ThrowawayDatabase } from '@openaos/db';
import { readPkcs12, type Credential } from '@openaos/pki';
import { CLOUD_HTTP_PATHS } from '@openaos/protocol';
import { startCloudProcess, type CloudProcess } from './cloud-process.js';

/** The admin's password the console tests start their cloud with. */
export const ADMIN_PASSWORD = 'admin password for tests';

/** A user row as the seeding reads it back. */
export interface SeedUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  organisationId: string | null;
}

export type Caller = ReturnType<typeof createCaller>;

/** The API as this user, in-process (the same callers the routers serve), as cloud-fixture's `caller`. */
export function callerFor(deps: CloudDependencies, user: SeedUser): Caller {
  return createCaller(
    createContextForActor(deps, {
      userId: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      organisationId: user.organisationId,
      organisationName: null,
      via: 'session',
    } satisfies Actor),
  );
}

/** What a seed function gets: the core (its database), the admin's API, and any user's. */
export interface SeedContext {
  deps: CloudDependencies;
  admin: Caller;
  as(user: SeedUser): Caller;
  /** An organisation of the kind (made once per name) and a user with the role and password in it. */
  addUser(
    kind: 'oem' | 'sp',
    organisationName: string,
    email: string,
    password: string,
    name?: string,
  ): Promise<SeedUser>;
}

/**
 * Seed the installation in-process on the data dir and database the cloud will run on (the core
 * makes the admin with {@link ADMIN_PASSWORD} on the first start), then close the core.
 */
export async function seedCloud<T>(
  options: { dataDir: string; databaseUrl: string } & Partial<Parameters<typeof startCloudCore>[0]>,
  seed: (context: SeedContext) => Promise<T>,
): Promise<T> {
  if (!options.databaseUrl) await seedPgliteDataDir(options.dataDir);
  const core = await startCloudCore({
    adminPassword: ADMIN_PASSWORD,
    passwordHashCost: TEST_PASSWORD_HASH_COST,
    ...options,
  });
  try {
    const as = (user: SeedUser) => callerFor(core.deps, user);
    const adminRow = (await core.deps.db.select().from(schema.users)).find((user) => user.email === 'admin');
    if (!adminRow) throw new Error('the first start should have created the admin');
    const admin = as(adminRow);
    const organisations = new Map<string, string>();
    return await seed({
      deps: core.deps,
      admin,
      as,
      async addUser(kind, organisationName, email, password, name = kind.toUpperCase()) {
        let organisationId = organisations.get(organisationName);
        if (!organisationId) {
          organisationId = (await admin.organisations.create({ name: organisationName, kind })).id;
          organisations.set(organisationName, organisationId);
        }
        const { user } = await admin.users.create({ email, name, role: kind, organisationId, password });
        return user;
      },
    });
  } finally {
    await core.close();
  }
}

/** The PKCS#12 credential the cloud issues to a user (what `aos` signs in with), read. */
export async function credentialOf(caller: Caller): Promise<Credential> {
  return readPkcs12(Buffer.from((await caller.credentials.issue()).pkcs12Base64, 'base64'));
}

/** Headless Chromium as every console test runs it. */
export async function launchBrowser(): Promise<Browser> {
  return steadyNavigation(
    await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    }),
  );
}

/**
 * Chromium aborts a navigation with net::ERR_NETWORK_CHANGED when the host's network interfaces
 * change under it (https://issues.chromium.org/issues/41465264), and the agent tests that run
 * beside the console tests add and remove bridges and veth pairs all the time. The pages of
 * `browser` retry a navigation so aborted (a few times; any other error is thrown at once).
 */
export function steadyNavigation(browser: Browser): Browser {
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (options) => {
    const page = await newPage(options);
    const goto = page.goto.bind(page);
    const reload = page.reload.bind(page);
    const retried = async <T>(navigate: () => Promise<T>): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await navigate();
        } catch (error) {
          // Chromium either aborts the navigation or replaces the page with its error page for it.
          const isNetworkChange = /ERR_NETWORK_CHANGED|interrupted by another navigation to "chrome-error:/.test(
            String(error),
          );
          if (attempt >= 5 || !isNetworkChange) throw error;
        }
      }
    };
    page.goto = (url, gotoOptions) => retried(() => goto(url, gotoOptions));
    page.reload = (reloadOptions) => retried(() => reload(reloadOptions));
    return page;
  };
  return browser;
}

/** Sign in through the sign-in page and wait for the console. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export interface ConsoleFixture<T> {
  work: string;
  dataDir: string;
  database: ThrowawayDatabase;
  cloud: CloudProcess;
  browser: Browser;
  seeded: T;
  close(): Promise<void>;
}

/**
 * The usual console test's world: a temp dir, a throwaway PostgreSQL database, the seed, the built
 * cloud on them, Chromium. `close` undoes it all (whatever part was made).
 */
export async function startConsole<T>(options: {
  name: string;
  seed: (context: SeedContext) => Promise<T>;
  env?: Record<string, string>;
}): Promise<ConsoleFixture<T>> {
  const work = await mkdtemp(join(tmpdir(), `openaos-${options.name}-`));
  const dataDir = join(work, 'data');
  const made: Partial<ConsoleFixture<T>> = { work, dataDir };
  const close = async () => {
    await made.browser?.close();
    await made.cloud?.stop();
    await made.database?.close();
    await rm(work, { recursive: true, force: true });
  };
  try {
    made.database = await createThrowawayDatabase('postgres');
    made.seeded = await seedCloud({ dataDir, databaseUrl: made.database.location }, options.seed);
    made.cloud = await startCloudProcess({
      dataDir,
      env: { DATABASE_URL: made.database.location, OPENAOS_ADMIN_PASSWORD: ADMIN_PASSWORD, ...options.env },
    });
    made.browser = await launchBrowser();
    return { ...(made as Omit<ConsoleFixture<T>, 'close'>), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** As the admin over HTTP: give a user (made without one, as the fleet's are) a password to sign in with. */
export async function setPasswordOverHttp(
  url: string,
  adminPassword: string,
  email: string,
  password: string,
): Promise<void> {
  const call = async <R>(procedure: string, input: unknown, cookie?: string) => {
    const response = await fetch(`${url}${CLOUD_HTTP_PATHS.trpc}/${procedure}`, {
      method: procedure.endsWith('.list') ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      ...(procedure.endsWith('.list') ? {} : { body: JSON.stringify(input) }),
    });
    const body = (await response.json()) as { result?: { data: R } };
    if (!response.ok || !body.result) throw new Error(`${procedure}: HTTP ${response.status} ${JSON.stringify(body)}`);
    return { data: body.result.data, response };
  };
  const signedIn = await call('auth.signIn', { email: 'admin', password: adminPassword });
  const cookie = signedIn.response.headers
    .getSetCookie()
    .map((value) => value.split(';')[0])
    .join('; ');
  const { data: users } = await call<{ id: string; email: string }[]>('users.list', undefined, cookie);
  const user = users.find((candidate) => candidate.email === email);
  if (!user)
    throw new Error(`setting the password of ${email}: no such user (${users.map((u) => u.email).join(', ')})`);
  await call('users.setPassword', { id: user.id, password }, cookie);
}

/** Save a full-page screenshot as `<dir>/<NN>-<name>.png` (numbered in the order taken) and return its path. */
export function screenshotter(dir: string): (page: Page, name: string) => Promise<string> {
  let taken = 0;
  return async (page, name) => {
    await mkdir(dir, { recursive: true });
    taken += 1;
    const path = join(dir, `${String(taken).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path, fullPage: true });
    return path;
  };
}
