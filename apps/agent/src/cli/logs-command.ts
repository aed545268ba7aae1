import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AgentError } from '../errors.js';
import { instancePaths, resolveStoragePaths } from '../paths.js';
import { createInstanceId } from '../persist/instance-id.js';
import { listLogFiles } from '../runtime/log-writer.js';

export interface LogsOptions {
  storageDir: string;
  serviceId: string;
  subjectId: string;
  instance: number;
}

/** `aos-agent logs`: an instance's log, rotated files first (oldest first), then the current one. */
export async function readInstanceLog(options: LogsOptions): Promise<string> {
  const paths = instancePaths(
    resolveStoragePaths(resolve(options.storageDir)),
    createInstanceId(options.serviceId, options.subjectId, options.instance),
  );
  const parts = await Promise.all(
    (await listLogFiles(paths.log)).map((path) => readFile(path, 'utf8').catch(() => undefined)),
  );
  if (parts.length === 0) {
    throw new AgentError(
      'not-running',
      `reading the log of ${options.serviceId}/${options.subjectId}/${options.instance}: no such instance on ${options.storageDir}; see aos-agent status`,
    );
  }
  return parts.filter((part) => part !== undefined).join('');
}
