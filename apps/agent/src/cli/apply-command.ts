import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDesiredStatus, type DesiredStatus } from '../formats/desired-status.js';
import type { UnitStatus } from '../formats/unit-status.js';
import { AgentError } from '../errors.js';
import { agentFiles, resolveStoragePaths } from '../paths.js';
import { readJsonFile } from '../persist/atomic-write.js';
import { RecordsFile } from '../persist/records-file.js';
import { handOverTarget, readInboxOutcome } from '../persist/target-inbox.js';
import { mergeDesiredStatus, readTargetFile } from '../persist/target-store.js';
import { expandTarget } from '../reconcile/expand-target.js';
import { isMountPoint } from '../storage/mount-storage.js';
import { judgeApply, type ApplyFailure } from './judge-apply.js';

export interface ApplyOptions {
  file: string;
  storageDir: string;
  /**
   * Wait until the update has settled (the daemon must be running): every service version
   * committed with its instances active, or failed (rolled back, not installable, failed
   * instances); see judgeApply.
   */
  wait?: boolean;
  timeoutMs?: number;
}

export interface ApplyResult {
  target: DesiredStatus;
  /** With `wait`: the status once settled. */
  status?: UnitStatus;
  /** With `wait`: the service versions that did not take (empty: all committed). */
  failures?: ApplyFailure[];
}

/** Read a desired-status file: bare data or a full `{header, data}` envelope; relative urls become absolute. */
export async function readDesiredStatusFile(file: string): Promise<DesiredStatus> {
  const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  const data = parseDesiredStatus('data' in json && 'header' in json ? json.data : json);
  const base = dirname(resolve(file));
  const absolutize = (url: string) => (/^[a-z][a-z0-9+.-]*:/i.test(url) || isAbsolute(url) ? url : resolve(base, url));
  return {
    ...data,
    ...(data.services
      ? {
          services: data.services.map((service) => ({
            ...service,
            ...(service.urls ? { urls: service.urls.map(absolutize) } : {}),
          })),
        }
      : {}),
  };
}

/**
 * `aos-agent apply`: validate the desired status and hand it to the daemon through the inbox
 * (the daemon's acceptTarget is the one writer of target.json; see persist/target-store.ts).
 * Without `wait` it returns at once with the target the daemon will hold once it accepts it.
 * With `wait` it waits until the daemon has accepted it, then polls status.json and
 * records.json until the update has settled.
 */
export async function runApply(options: ApplyOptions): Promise<ApplyResult> {
  const paths = resolveStoragePaths(resolve(options.storageDir));
  const files = agentFiles(paths);
  if (!(await isMountPoint(paths.root))) {
    throw new AgentError(
      'not-running',
      `applying ${options.file}: ${paths.root} is not mounted; start the daemon first (aos-agent run --storage-dir ${options.storageDir} --storage-size 512m)`,
    );
  }
  const desired = await readDesiredStatusFile(options.file);
  const entry = await handOverTarget(files.inbox, desired);
  if (!options.wait) return { target: mergeDesiredStatus(await readTargetFile(files.target), desired) };
  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  const notSettled = (what: string) =>
    new AgentError(
      'not-running',
      `applying ${options.file}: ${what} within ${timeoutMs / 1000} s; is the daemon running? See aos-agent status, or wait longer with --timeout`,
    );
  for (;;) {
    const outcome = await readInboxOutcome(entry);
    if (outcome.state === 'refused')
      throw new AgentError('bad-target', `applying ${options.file}: the daemon refused it: ${outcome.reason}`);
    if (outcome.state === 'accepted') break;
    if (Date.now() > deadline) throw notSettled('the daemon did not take the desired status');
    await new Promise((done) => setTimeout(done, 50));
  }
  // What the daemon accepted (this status merged into its target, and any accepted since).
  const target = (await readTargetFile(files.target)) ?? desired;
  const expected = expandTarget(target);
  const recordsFile = new RecordsFile(files.records);
  for (;;) {
    const status = await readJsonFile<UnitStatus>(files.status).catch(() => undefined);
    // Records after status: a commit or rollback seen in the status is then in the records too.
    const records = await recordsFile.load().catch(() => undefined);
    const outcome = status && records ? judgeApply(expected, status, records) : undefined;
    if (status && outcome?.settled) return { target, status, failures: outcome.failures };
    if (Date.now() > deadline) throw notSettled('the update did not settle (committed or rolled back)');
    await new Promise((done) => setTimeout(done, 200));
  }
}
