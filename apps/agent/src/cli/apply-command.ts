import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseMessageData, type DesiredStatus, type MessageOf } from '@openaos/protocol';
import { AgentError } from '../errors.js';
import { resolveStoragePaths } from '../paths.js';
import { readJsonFile } from '../persist/atomic-write.js';
import { TargetFile } from '../persist/target-file.js';
import { expandTarget, mergeDesiredStatus } from '../reconcile/expand-target.js';
import { isMountPoint } from '../storage/mount-storage.js';

export interface ApplyOptions {
  file: string;
  storageDir: string;
  /** Wait until every instance is active or failed (the daemon must be running). */
  wait?: boolean;
  timeoutMs?: number;
}

/** Read a desired-status file: bare data or a full `{header, data}` envelope; relative urls become absolute. */
export async function readDesiredStatusFile(file: string): Promise<DesiredStatus> {
  const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  const data = parseMessageData('desiredStatus', 'data' in json && 'header' in json ? json.data : json);
  const base = dirname(resolve(file));
  const absolutize = (url: string) => (/^[a-z][a-z0-9+.-]*:/i.test(url) || isAbsolute(url) ? url : resolve(base, url));
  return { ...data, ...(data.services ? { services: data.services.map((service) => ({ ...service, ...(service.urls ? { urls: service.urls.map(absolutize) } : {}) })) } : {}) };
}

/**
 * `aos-agent apply`: validate the desired status, merge it into the persisted target and
 * write it atomically; the running daemon notices the new target.json on its next pass.
 */
export async function runApply(options: ApplyOptions): Promise<{ target: DesiredStatus; status?: MessageOf<'unitStatus'> }> {
  const paths = resolveStoragePaths(resolve(options.storageDir));
  if (!(await isMountPoint(paths.root))) {
    throw new AgentError('not-running', `applying ${options.file}: ${paths.root} is not mounted; start the daemon first (aos-agent run --storage-dir ${options.storageDir} --storage-size 512m)`);
  }
  const desired = await readDesiredStatusFile(options.file);
  const targetFile = new TargetFile(paths.agent);
  const target = mergeDesiredStatus(await targetFile.load(), desired);
  await targetFile.save(target);
  if (!options.wait) return { target };
  const savedAt = (await stat(targetFile.path)).mtimeMs;
  const expected = expandTarget(target);
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const statusPath = `${paths.agent}/status.json`;
    const status = await readJsonFile<MessageOf<'unitStatus'>>(statusPath).catch(() => undefined);
    const fresh = await stat(statusPath).then((info) => info.mtimeMs >= savedAt, () => false);
    if (status && fresh) {
      const settled = expected.instances.every((wanted) =>
        status.instances.some((item) => item.serviceId === wanted.serviceId && item.subjectId === wanted.subjectId && item.instance === wanted.index && item.version === wanted.version && (item.status === 'active' || item.status === 'failed')),
      );
      const failedServices = status.services.some((service) => service.status === 'error');
      if (settled || failedServices) return { target, status };
    }
    if (Date.now() > deadline) throw new AgentError('not-running', `applying ${options.file}: the instances did not settle in time; is the daemon running? (aos-agent status)`);
    await new Promise((done) => setTimeout(done, 200));
  }
}
