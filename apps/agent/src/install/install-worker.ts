/**
 * Child-process entry of an install: `node install-worker.js` reads `{storageRoot, service}` as
 * JSON on stdin, installs it (install-service.ts) and writes `{installed}` or `{error}` as JSON
 * on stdout. Why a child: the image code (tar, gzip, YAML/zod configs) and the buffers of an
 * install are released when it exits, keeping the daemon small; a stuck or crashing extraction
 * cannot take the daemon down. The worker exits when its stdin closes (the agent died), so an
 * orphan never races the next agent's cleanup.
 */
import { resolveStoragePaths } from '../paths.js';
import type { ServiceVersion } from '../state.js';
import { installService } from './install-service.js';

interface WorkerInput {
  storageRoot: string;
  service: ServiceVersion;
}

async function readInput(): Promise<WorkerInput> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    const end = text.indexOf('\n');
    if (end >= 0) return JSON.parse(text.slice(0, end)) as WorkerInput;
  }
  throw new Error('no input');
}

async function main(): Promise<void> {
  const input = await readInput();
  // After the request line, an end of stdin means the agent is gone: stop at once.
  process.stdin.on('end', () => process.exit(3));
  process.stdin.resume();
  const paths = resolveStoragePaths(input.storageRoot);
  const { BlobStore } = await import('@openaos/image');
  try {
    const installed = await installService(paths, new BlobStore(paths.images), input.service);
    process.stdout.write(JSON.stringify({ installed }) + '\n');
    process.exit(0);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stdout.write(JSON.stringify({ error: message, code: (error as { code?: string }).code }) + '\n');
    process.exit(1);
  }
}

void main();
