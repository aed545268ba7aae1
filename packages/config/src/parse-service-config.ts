import { ConfigError, type ConfigProblem } from './config-error.js';
import type { ServiceConfig } from './types.js';

export interface ParseServiceConfigOptions {
  /** File name used in problems (e.g. "meta/config.yaml"). */
  file: string;
  /**
   * Also require what `aos sign` and upload need: publish.service_uid (UUID),
   * publish.version (SemVer), and a signing credential entry.
   */
  forSigning?: boolean;
}

/** Result of validateServiceConfig: the config when there are no errors, and every problem. */
export interface ServiceConfigValidation {
  config: ServiceConfig | undefined;
  /** Errors and warnings, in document order. */
  problems: ConfigProblem[];
}

/**
 * Parse and validate `meta/config.yaml` text, collecting every problem (errors and
 * warnings) with its line and column. Never throws for content problems.
 * @throws ConfigError 'unsafe-yaml' when the text is refused before parsing.
 */
export function validateServiceConfig(text: string, options: ParseServiceConfigOptions): ServiceConfigValidation {
  void text;
  throw new ConfigError('invalid-config', `validating ${options.file}: not implemented yet`);
}

/**
 * Parse + validate. Throws ConfigError ('invalid-config', 'invalid-yaml' or 'unsafe-yaml')
 * listing every problem; warnings alone do not throw.
 */
export function parseServiceConfig(text: string, options: ParseServiceConfigOptions): ServiceConfig {
  const { config, problems } = validateServiceConfig(text, options);
  if (config === undefined) {
    throw new ConfigError('invalid-config', `validating ${options.file}`, { file: options.file, problems });
  }
  return config;
}
