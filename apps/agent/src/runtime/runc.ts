import { ProgramError, runProgram } from '../run-program.js';
import { AgentError } from '../errors.js';

export interface ContainerState {
  id: string;
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  pid: number;
}

/** Thin wrapper over the `runc` binary with one state root. Only this file and the shim spawn runc. */
export class Runc {
  constructor(
    readonly root: string,
    readonly binary = 'runc',
  ) {}

  private async call(args: string[], what: string): Promise<string> {
    try {
      return await runProgram(this.binary, ['--root', this.root, ...args]);
    } catch (cause) {
      const stderr = cause instanceof ProgramError ? cause.stderr.trim() : '';
      throw new AgentError('runc-failed', `${what}: ${stderr || (cause as Error).message}`, { cause });
    }
  }

  /** All containers of this root (`runc list`). */
  async list(): Promise<ContainerState[]> {
    const output = await this.call(['list', '--format', 'json'], 'listing containers');
    const parsed = JSON.parse(output || 'null') as ContainerState[] | null;
    return (parsed ?? []).map(({ id, status, pid }) => ({ id, status, pid }));
  }

  /** State of one container, or undefined when runc does not know it. */
  async state(id: string): Promise<ContainerState | undefined> {
    try {
      const { status, pid } = JSON.parse(await this.call(['state', id], `reading state of ${id}`)) as ContainerState;
      return { id, status, pid };
    } catch (error) {
      if (error instanceof AgentError && /does not exist|not exist/.test(error.message)) return undefined;
      throw error;
    }
  }

  async kill(id: string, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    await this.call(['kill', id, signal], `sending ${signal} to ${id}`);
  }

  /** Delete the container (force kills a running one); a missing container is fine. */
  async delete(id: string): Promise<void> {
    try {
      await this.call(['delete', '--force', id], `deleting container ${id}`);
    } catch (error) {
      if (error instanceof AgentError && /does not exist|not exist/.test(error.message)) return;
      throw error;
    }
  }
}
