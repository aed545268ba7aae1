import type { OciImageConfig } from './device-types.js';
import type { ServiceConfig } from './types.js';

/** OCI image config fields from the service config (Cmd, WorkingDir, Env, ExposedPorts, architecture). */
export function toImageConfig(config: ServiceConfig, options: { created: string; diffIds: string[] }): OciImageConfig {
  void config;
  void options;
  throw new Error('toImageConfig: not implemented yet');
}
