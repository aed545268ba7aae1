import { execFile } from 'node:child_process';

/** A failed program run: what ran, its exit code and stderr. */
export class ProgramError extends Error {
  override readonly name = 'ProgramError';
  constructor(
    message: string,
    readonly exitCode: number | undefined,
    readonly stderr: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/**
 * Run a program (no shell) and return its stdout; a non-zero exit rejects with ProgramError
 * carrying stderr. Why not execa (used by the tests): the daemon's memory budget is 60 MB
 * resident and loading execa costs ~5 MB of it, for nothing execFile does not do here.
 */
export function runProgram(file: string, args: readonly string[], options: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { maxBuffer: 16 * 1024 * 1024, ...(options.cwd ? { cwd: options.cwd } : {}) },
      (error, stdout, stderr) => {
        if (error) {
          const code = typeof error.code === 'number' ? error.code : undefined;
          reject(
            new ProgramError(`${file} ${args.join(' ')}: ${stderr.trim() || error.message}`, code, stderr, {
              cause: error,
            }),
          );
        } else {
          resolve(stdout);
        }
      },
    );
    child.stdin?.end();
  });
}
