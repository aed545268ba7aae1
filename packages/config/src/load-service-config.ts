import { readFile, stat } from 'node:fs/promises';
import { ConfigError } from './config-error.js';
import { parseServiceConfig } from './parse-service-config.js';
import type { ServiceConfig } from './types.js';
import { DEFAULT_YAML_LIMITS } from './yaml/yaml-limits.js';

/**
 * Read and parse a `meta/config.yaml` file; problems name the file by the given path.
 * @throws ConfigError 'not-found', 'unreadable', 'unsafe-yaml' (also for a file too big
 *   to read), or as parseServiceConfig.
 */
export async function loadServiceConfig(path: string, options: { forSigning?: boolean } = {}): Promise<ServiceConfig> {
  let text: string;
  try {
    // Checked before reading so a huge file is never loaded into memory.
    const { size } = await stat(path);
    if (size > DEFAULT_YAML_LIMITS.maxBytes) {
      const message = `the file is ${size} bytes, more than the ${DEFAULT_YAML_LIMITS.maxBytes} bytes accepted`;
      throw new ConfigError('unsafe-yaml', `refusing ${path}: ${message}`, {
        file: path,
        problems: [{ file: path, path: '', message, hint: 'meta/config.yaml holds settings only' }],
      });
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw describeReadError(path, error);
  }
  return parseServiceConfig(text, { file: path, ...options });
}

function describeReadError(path: string, error: unknown): ConfigError {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    const hint = 'run the command from the folder that holds meta/, or run `aos init` to create meta/config.yaml';
    return new ConfigError('not-found', `loading ${path}: the file does not exist; ${hint}`, {
      file: path,
      cause: error,
      problems: [{ file: path, path: '', message: 'the file does not exist', hint }],
    });
  }
  return new ConfigError('unreadable', `loading ${path}: ${(error as Error).message}`, { file: path, cause: error });
}
