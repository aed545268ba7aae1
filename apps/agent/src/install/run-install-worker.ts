import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AgentError } from '../errors.js';
import type { InstalledService, ServiceVersion } from '../state.js';
import type { StoragePaths } from '../paths.js';

/** From source (tests run .ts through tsx) the worker needs the TypeScript loader. */
const isSource = import.meta.url.endsWith('.ts');
const workerPath = fileURLToPath(new URL(`./install-worker.${isSource ? 'ts' : 'js'}`, import.meta.url));

/**
 * Install `service` in a child process (install-worker.ts) and return what it installed.
 * Throws AgentError('install-failed') with the worker's message (e.g. a digest mismatch).
 */
export function runInstallWorker(paths: StoragePaths, service: ServiceVersion): Promise<InstalledService> {
  const args = [...(isSource ? ['--conditions=source', '--import', 'tsx'] : []), workerPath];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (cause) =>
      reject(
        new AgentError(
          'install-failed',
          `installing ${service.serviceId}@${service.version}: cannot start the install worker: ${cause.message}`,
          { cause },
        ),
      ),
    );
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      let result: { installed?: InstalledService; error?: string } = {};
      try {
        result = JSON.parse(line) as typeof result;
      } catch {
        result = {
          error: `the install worker exited with code ${code}: ${stderr.trim().split('\n').slice(-3).join(' ') || 'no output'}`,
        };
      }
      if (result.installed) resolve(result.installed);
      else
        reject(
          new AgentError(
            'install-failed',
            result.error ?? `installing ${service.serviceId}@${service.version}: no result`,
          ),
        );
    });
    // A worker that dies before reading makes this write fail (EPIPE); its exit, reported by
    // 'close' above, is the error that matters, so the write error is only kept from escaping.
    child.stdin.on('error', () => undefined);
    child.stdin.write(JSON.stringify({ storageRoot: paths.root, service }) + '\n');
    // stdin stays open: the worker exits if it closes (this process died).
  });
}
