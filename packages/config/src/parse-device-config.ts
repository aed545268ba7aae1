import type { AosServiceConfig, OciImageConfig } from './device-types.js';

/** Validate a service_config.json read back on the device. Throws ConfigError 'invalid-device-config'. */
export function parseAosServiceConfig(json: unknown): AosServiceConfig {
  void json;
  throw new Error('parseAosServiceConfig: not implemented yet');
}

/** Validate an OCI image config read back on the device. Throws ConfigError 'invalid-device-config'. */
export function parseOciImageConfig(json: unknown): OciImageConfig {
  void json;
  throw new Error('parseOciImageConfig: not implemented yet');
}
