import { ConfigError } from './config-error.js';
import type { OciImageConfig } from './device-types.js';
import { mapArchitecture } from './map-architecture.js';
import { formatPortSpec, parsePortSpec } from './port-spec.js';
import { splitCommand } from './split-command.js';
import type { ServiceConfig } from './types.js';

/**
 * The OCI image config of the service image (reference §3.5): Cmd from `cmd` (a string is
 * split like a shell splits words; no Entrypoint — the AosEdge docs say it is ignored),
 * WorkingDir, Env, ExposedPorts ("port/proto", tcp by default; ranges kept as written,
 * e.g. "8089-8090/tcp", which the device's firewall reads as a range), architecture from
 * build.arch. Precondition: `config` came from parseServiceConfig (values validated).
 */
export function toImageConfig(config: ServiceConfig, options: { created: string; diffIds: string[] }): OciImageConfig {
  const { configuration } = config;
  const imageConfig: OciImageConfig = {
    created: options.created,
    architecture: mapArchitecture(config.build.arch),
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: [...options.diffIds] },
  };
  if (config.publisher?.author !== undefined) imageConfig.author = config.publisher.author;
  const command = toCommandWords(configuration.cmd);
  if (command !== undefined) imageConfig.config.Cmd = command;
  if (configuration.workingDir !== undefined) imageConfig.config.WorkingDir = configuration.workingDir;
  if (configuration.env !== undefined && configuration.env.length > 0) imageConfig.config.Env = [...configuration.env];
  const ports = toExposedPorts(configuration.exposedPorts);
  if (ports.length > 0) {
    imageConfig.config.ExposedPorts = Object.fromEntries(ports.map((port) => [port, {}]));
  }
  return imageConfig;
}

/** `cmd` as argv words. */
export function toCommandWords(command: string | string[] | undefined): string[] | undefined {
  if (command === undefined) return undefined;
  if (Array.isArray(command)) return [...command];
  const words = splitCommand(command);
  if (typeof words === 'string') throw invalidInput(`splitting cmd ${JSON.stringify(command)}: ${words}`);
  return words;
}

/** exposedPorts as canonical "from[-to]/protocol" strings, tcp by default, duplicates removed. */
export function toExposedPorts(exposedPorts: string[] | undefined): string[] {
  const ports = new Set<string>();
  for (const text of exposedPorts ?? []) {
    const spec = parsePortSpec(text);
    if (typeof spec === 'string') throw invalidInput(`reading exposedPorts "${text}": ${spec}`);
    ports.add(formatPortSpec(spec));
  }
  return [...ports];
}

/** Translation input that parseServiceConfig would have refused. */
function invalidInput(message: string): ConfigError {
  return new ConfigError('invalid-config', `${message}; validate the config with parseServiceConfig first`);
}
