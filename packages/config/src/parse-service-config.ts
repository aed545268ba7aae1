import { ConfigError, isErrorProblem, type ConfigProblem } from './config-error.js';
import { formatProblems } from './format-problems.js';
import { readServiceConfig } from './schema/read-service-config.js';
import type { ServiceConfig } from './types.js';
import { loadYamlDocument } from './yaml/load-yaml-document.js';

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
 * warnings) with its line and column. YAML syntax errors are returned as problems too.
 * @throws ConfigError 'unsafe-yaml' when the text is refused before parsing
 *   (too big, too deep, too many aliases).
 */
export function validateServiceConfig(text: string, options: ParseServiceConfigOptions): ServiceConfigValidation {
  let loaded;
  try {
    loaded = loadYamlDocument(text, options.file);
  } catch (error) {
    if (error instanceof ConfigError && error.code === 'invalid-yaml') {
      return { config: undefined, problems: error.problems };
    }
    throw error;
  }
  return readServiceConfig(loaded.document, loaded.lineCounter, options);
}

/**
 * Parse + validate. Throws ConfigError listing every problem: 'invalid-yaml' (syntax),
 * 'unsafe-yaml' (refused), 'invalid-config' (schema v1 rules). Warnings alone do not throw.
 */
export function parseServiceConfig(text: string, options: ParseServiceConfigOptions): ServiceConfig {
  const loaded = loadYamlDocument(text, options.file);
  const { config, problems } = readServiceConfig(loaded.document, loaded.lineCounter, options);
  if (config === undefined) {
    const errors = problems.filter(isErrorProblem);
    throw new ConfigError(
      'invalid-config',
      `validating ${options.file}: ${errors.length} problem${errors.length === 1 ? '' : 's'}\n${formatProblems(errors)}`,
      { file: options.file, problems },
    );
  }
  return config;
}
