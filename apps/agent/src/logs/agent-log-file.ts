import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StoragePaths } from '../paths.js';
import type { LogLimits } from '../runtime/log-writer.js';

/** The daemon's own log on the unit (what v7 `requestLog` `systemLog` sends): `<agent>/agent.log`, `.1`, `.2`. */
export function agentLogPath(paths: StoragePaths): string {
  return join(paths.agent, 'agent.log');
}

/**
 * The agent's log file: each line as the daemon logs it, with its ISO time first, appended
 * synchronously (one writer, in order, nothing buffered to lose at a crash). It rotates as an
 * instance log does (renamed to `.1`, `.1` to `.2`, `files` kept), so the same reader and
 * follower serve both. A write that fails is dropped: the agent never stops for its log.
 */
export class AgentLogFile {
  private size: number;

  constructor(
    private readonly path: string,
    private readonly limits: LogLimits = { maxBytes: 1024 * 1024, files: 3 },
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.size = sizeOf(path);
  }

  write(message: string, at: Date = new Date()): void {
    const line = `${at.toISOString()} ${message.replaceAll('\n', '\n  ')}\n`;
    const bytes = Buffer.byteLength(line);
    try {
      if (this.size > 0 && this.size + bytes > this.limits.maxBytes) this.rotate();
      appendFileSync(this.path, line);
      this.size += bytes;
    } catch {
      this.size = sizeOf(this.path);
    }
  }

  private rotate(): void {
    const { files } = this.limits;
    if (files <= 1) rmSync(this.path, { force: true });
    else {
      for (let index = files - 1; index > 1; index--) {
        try {
          renameSync(`${this.path}.${index - 1}`, `${this.path}.${index}`);
        } catch {
          // not there yet
        }
      }
      renameSync(this.path, `${this.path}.1`);
    }
    this.size = 0;
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
