import { mkdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseMessageData, type DesiredStatus, type MessageOf } from '@openaos/protocol';
import { AgentError } from '../errors.js';
import { resolveStoragePaths } from '../paths.js';
import { RecordsFile } from '../persist/agent-records.js';
import { readJsonFile } from '../persist/atomic-write.js';
import { TargetFile } from '../persist/target-file.js';
import { expandTarget, mergeDesiredStatus } from '../reconcile/expand-target.js';
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
  status?: MessageOf<'unitStatus'>;
  /** With `wait`: the service versions that did not take (empty: all committed). */
  failures?: ApplyFailure[];
}

/** Read a desired-status file: bare data or a full `{header, data}` envelope; relative urls become absolute. */
export async function readDesiredStatusFile(file: string): Promise<DesiredStatus> {
  const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  const data = parseMessageData('desiredStatus', 'data' in json && 'header' in json ? json.data : json);
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
 * `aos-agent apply`: validate the desired status, merge it into the persisted target and
 * write it atomically; the running daemon notices the new target.json on its next pass. With
 * `wait`, poll status.json and records.json until the update has settled.
 */
export async function runApply(options: ApplyOptions): Promise<ApplyResult> {
  const paths = resolveStoragePaths(resolve(options.storageDir));
  if (!(await isMountPoint(paths.root))) {
    throw new AgentError(
      'not-running',
      `applying ${options.file}: ${paths.root} is not mounted; start the daemon first (aos-agent run --storage-dir ${options.storageDir} --storage-size 512m)`,
    );
  }
  const desired = await readDesiredStatusFile(options.file);
  // The daemon creates it too; a daemon that has just started may not have got there yet.
  await mkdir(paths.agent, { recursive: true });
  const targetFile = new TargetFile(paths.agent);
  const target = mergeDesiredStatus(await targetFile.load(), desired);
  await targetFile.save(target);
  if (!options.wait) return { target };
  const expected = expandTarget(target);
  const recordsFile = new RecordsFile(paths.agent);
  const statusPath = `${paths.agent}/status.json`;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await readJsonFile<MessageOf<'unitStatus'>>(statusPath).catch(() => undefined);
    // Records after status: a commit or rollback seen in the status is then in the records too.
    const records = await recordsFile.load().catch(() => undefined);
    const outcome = status && records ? judgeApply(expected, status, records) : undefined;
    if (status && outcome?.settled) return { target, status, failures: outcome.failures };
    if (Date.now() > deadline) {
      throw new AgentError(
        'not-running',
        `applying ${options.file}: the update did not settle (committed or rolled back) within ${timeoutMs / 1000} s; is the daemon running? See aos-agent status, or wait longer with --timeout`,
      );
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}
