import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary directory for one test file. */
export function makeTempDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'openaos-pki-'));
}

/** Run openssl with arguments; returns stdout followed by stderr (where `-info` writes). Throws on failure. */
export function runOpenssl(args: string[]): string {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
  return `${result.stdout}${result.stderr}`;
}

/** Whether Python's `cryptography` is importable (aos-signer reads credentials with it). */
export function hasPythonCryptography(): boolean {
  try {
    execFileSync('python3', ['-c', 'import cryptography'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Run a Python snippet; returns stdout. */
export function runPython(script: string, args: string[] = []): string {
  return execFileSync('python3', ['-c', script, ...args], { encoding: 'utf8' });
}
