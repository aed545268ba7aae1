import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError } from './errors.js';

/** Where a command finds the service: `--config path`, else `-C dir`, else the working directory. */
export interface ServiceLocation {
  /** `-C, --directory`: the service root (parent of `meta/`). */
  directory?: string;
  /** `--config`: path of the config file; the service root is the parent of its folder. */
  configPath?: string;
}

export interface ResolvedServiceFolder {
  /** The service root: holds `meta/` and `src/`. */
  serviceDir: string;
  /** `meta/config.yaml` (or the given config file). */
  configPath: string;
  /** The config's folder (`meta/`): relative credential paths are searched here first. */
  metaDir: string;
}

/**
 * Find the service folder and its config, as aos-signer does ("run aos-signer from the parent
 * directory of 'meta'"). Throws CliError('not-found') naming the path it looked at.
 */
export async function resolveServiceFolder(location: ServiceLocation, action: string): Promise<ResolvedServiceFolder> {
  let configPath: string;
  let serviceDir: string;
  if (location.configPath) {
    configPath = resolve(location.configPath);
    // meta/config.yaml → the service root is the parent of meta/.
    const metaFolder = dirname(configPath);
    serviceDir = basename(metaFolder) === 'meta' ? dirname(metaFolder) : metaFolder;
  } else {
    serviceDir = resolve(location.directory ?? '.');
    configPath = join(serviceDir, 'meta', 'config.yaml');
  }
  const found = await stat(configPath).then(
    (info) => info.isFile(),
    () => false,
  );
  if (!found) {
    throw new CliError('not-found', action, `no service config at ${configPath}`, {
      hint: 'run the command in a service folder (the parent of meta/), pass -C <dir> or --config <path>, or create one with `aos init`',
    });
  }
  return { serviceDir, configPath, metaDir: dirname(configPath) };
}

/** Only the location fields of a command's options (so options are not passed on wholesale). */
export function locationOf(options: ServiceLocation): ServiceLocation {
  return {
    ...(options.directory !== undefined ? { directory: options.directory } : {}),
    ...(options.configPath !== undefined ? { configPath: options.configPath } : {}),
  };
}
