import { readFile } from 'node:fs/promises';
import {
  ConfigError,
  isErrorProblem,
  validateServiceConfig,
  type ConfigProblem,
  type ServiceConfig,
} from '@openaos/config';
import { displayPath } from '../display-path.js';
import { CliError } from '../errors.js';
import { resolveServiceFolder, type ServiceLocation } from '../service-folder.js';

export interface ValidateOptions extends ServiceLocation {
  /**
   * Validate as `aos sign` will (default true): also require publish.service_uid (UUID),
   * publish.version (SemVer) and a signing credential entry (build.sign_pkcs12, or
   * build.sign_key + build.sign_certificate). aos-signer's `validate` requires them too.
   * false checks only the schema and the values given.
   */
  forSigning?: boolean;
}

export interface ValidateResult {
  valid: boolean;
  configPath: string;
  serviceDir: string;
  /** Errors (which make the config invalid) and warnings, each with file, line and column. */
  problems: ConfigProblem[];
  /** The parsed config when valid. */
  config?: ServiceConfig;
}

/**
 * Validate meta/config.yaml. An invalid config is a result (valid: false, every problem
 * listed), not an exception; a missing, unreadable or unsafe file throws CliError.
 */
export async function runValidate(options: ValidateOptions = {}): Promise<ValidateResult> {
  const action = 'validating the service config';
  const folder = await resolveServiceFolder(options, action);
  const base = { configPath: folder.configPath, serviceDir: folder.serviceDir };
  let text: string;
  try {
    text = await readFile(folder.configPath, 'utf8');
  } catch (error) {
    throw new CliError('not-found', action, `reading ${folder.configPath}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const { config, problems } = validateServiceConfig(text, {
      file: displayPath(folder.configPath),
      forSigning: options.forSigning ?? true,
    });
    const valid = config !== undefined && !problems.some(isErrorProblem);
    return valid ? { ...base, valid, problems, config } : { ...base, valid, problems };
  } catch (error) {
    if (error instanceof ConfigError && error.problems.length > 0) {
      return { ...base, valid: false, problems: error.problems };
    }
    throw new CliError('invalid-config', action, `${folder.configPath}: ${(error as Error).message}`, {
      cause: error,
      hint: 'the file must be a plain YAML document (no custom tags, bounded size and aliases)',
    });
  }
}
