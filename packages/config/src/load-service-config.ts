import type { ServiceConfig } from './types.js';
import { ConfigError } from './config-error.js';

/** Read and parse a `meta/config.yaml` file. Throws ConfigError ('not-found', 'unreadable', or as parseServiceConfig). */
export async function loadServiceConfig(path: string, options: { forSigning?: boolean } = {}): Promise<ServiceConfig> {
  void options;
  throw new ConfigError('not-found', `loading ${path}: not implemented yet`);
}
