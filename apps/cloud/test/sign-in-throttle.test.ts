/**
 * Sign-in throttling through the real server: a flood of parallel wrong passwords is answered
 * 429 with Retry-After (not one password hash per request), and the client address it counts by
 * comes from the socket unless OPENAOS_TRUSTED_PROXIES says to read X-Forwarded-For.
 * Needs `pnpm build` first.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_HTTP_PATHS } from '@openaos/protocol';
import { CLOUD_START_TIMEOUT_MS, startCloudProcess, type CloudProcess } from './cloud-process.js';

const ADMIN_PASSWORD = 'admin password for tests';

async function signIn(
  cloud: CloudProcess,
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; retryAfter: string | null }> {
  const response = await fetch(`${cloud.url}${CLOUD_HTTP_PATHS.trpc}/auth.signIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password }),
  });
  await response.arrayBuffer();
  return { status: response.status, retryAfter: response.headers.get('retry-after') };
}

/** How many throttled guesses past the free ones fit into `seconds`, with waits 1, 2, 4 … capped at 30 s. */
function guessesFittingIn(seconds: number): number {
  let guesses = 0;
  for (let elapsed = 0, wait = 1; elapsed <= seconds; elapsed += wait, wait = Math.min(wait * 2, 30)) guesses++;
  return guesses;
}

const cases = [
  { trustedProxies: '0', isForwardedForBelieved: false },
  { trustedProxies: '1', isForwardedForBelieved: true },
];

describe.each(cases)('sign-in throttling of the cloud server (OPENAOS_TRUSTED_PROXIES=$trustedProxies)', (setting) => {
  let dataDir: string;
  let cloud: CloudProcess | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'openaos-throttle-'));
    cloud = await startCloudProcess({
      dataDir,
      env: { OPENAOS_ADMIN_PASSWORD: ADMIN_PASSWORD, OPENAOS_TRUSTED_PROXIES: setting.trustedProxies },
    });
  }, CLOUD_START_TIMEOUT_MS);
  afterAll(async () => {
    await cloud?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  const running = (): CloudProcess => {
    if (!cloud) throw new Error('the cloud did not start');
    return cloud;
  };

  it('answers 200 parallel wrong sign-ins mostly with 429 and Retry-After, and the right password later', async () => {
    const startedAt = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        signIn(running(), 'admin', `wrong ${index}`, { 'x-forwarded-for': '198.51.100.1' }),
      ),
    );
    const seconds = (Date.now() - startedAt) / 1000;
    const statuses = answers.map((answer) => answer.status);
    const checked = statuses.filter((status) => status === 401).length;
    // Every answer is a checked wrong password (401) or a refusal before checking (429).
    expect(statuses.filter((status) => status === 429)).toHaveLength(200 - checked);
    // The 5 free guesses are checked; after them only one guess per wait (1 s, 2 s, 4 s … up to
    // 30 s): however long the burst took to be served, no more than that fit into it.
    expect(checked).toBeGreaterThanOrEqual(5);
    expect(checked).toBeLessThanOrEqual(5 + guessesFittingIn(seconds));
    for (const answer of answers.filter((each) => each.status === 429)) {
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    // The right password gets in once the wait it is told has passed (at most the account's cap).
    const rightPassword = () => signIn(running(), 'admin', ADMIN_PASSWORD, { 'x-forwarded-for': '198.51.100.2' });
    let answer = await rightPassword();
    for (let retry = 0; retry < 3 && answer.status === 429; retry++) {
      expect(Number(answer.retryAfter)).toBeLessThanOrEqual(30);
      await new Promise((resolve) => setTimeout(resolve, Number(answer.retryAfter) * 1000));
      answer = await rightPassword();
    }
    expect(answer.status).toBe(200);
  });

  it(`${setting.isForwardedForBelieved ? 'believes' : 'ignores'} X-Forwarded-For when counting by address`, async () => {
    // 12 parallel guesses at 12 different accounts, each claiming another address: only the
    // address counter (10 free, counted before any password is checked) can stop some of them,
    // and only if the claimed addresses are not believed.
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, guess) =>
        signIn(running(), `nobody${guess}@example.com`, 'guess', { 'x-forwarded-for': `203.0.113.${guess + 10}` }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    if (setting.isForwardedForBelieved) expect(statuses).toEqual(Array(12).fill(401));
    else expect(statuses).toContain(429);
  });
});
