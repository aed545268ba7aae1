import type { Readable } from 'node:stream';
import type { ReadTarOptions } from './read-tar-entries.js';
import type { SafeEntry } from './safe-entry.js';

export interface ExtractTarOptions extends ReadTarOptions {
  /** Called for each entry once it is on disk. */
  onEntry?: (entry: Omit<SafeEntry, 'body'>) => void;
}

export interface ExtractTarResult {
  entries: number;
  bytes: number;
}

/**
 * Extract a tar into `destination` (created if missing; must not hold entries of the archive):
 * files are created exclusively, no path is ever written through a symlink, setuid/setgid
 * bits are dropped.
 */
export async function extractTar(source: Readable, destination: string, options: ExtractTarOptions = {}): Promise<ExtractTarResult> {
  void source;
  void destination;
  void options;
  throw new Error('extractTar: not implemented yet');
}
