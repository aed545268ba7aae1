import type { AosServiceConfig } from './device-types.js';
import type { ServiceConfig } from './types.js';

/** service_config.json (application/vnd.aos.service.config.v1+json) from the service config. */
export function toServiceConfigJson(config: ServiceConfig, options: { created: string; author?: string }): AosServiceConfig {
  void config;
  void options;
  throw new Error('toServiceConfigJson: not implemented yet');
}
