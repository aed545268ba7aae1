import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.js';
import {
  ImageConfigInputSchema,
  ServiceConfigInputSchema,
  type ImageConfigInput,
  type ServiceConfigInput,
} from './device-config-schemas.js';
import type { AosServiceConfig, OciImageConfig } from './device-types.js';
import { DEFAULT_RUNNERS } from './translate-service-config.js';

/**
 * Validate a service_config.json read back on the device (or a cloud-side copy) and
 * return it in our shape: defaults filled in (author '', skipResourceLimits false,
 * balancingPolicy 'enabled', runners runc+crun), older and newer spellings mapped.
 * @throws ConfigError 'invalid-device-config' listing every problem.
 */
export function parseAosServiceConfig(json: unknown): AosServiceConfig {
  const shapes = ServiceConfigInputSchema.shape;
  const normalised = normaliseKeys(json, {
    '': Object.keys(shapes),
    quotas: Object.keys(shapes.quotas.unwrap().unwrap().shape),
    runParameters: ['startInterval', 'startBurst', 'restartInterval'],
    requestedResources: ['cpu', 'ram', 'storage', 'state'],
    alertRules: ['ram', 'cpu', 'partitions', 'storage', 'download', 'upload'],
  });
  const result = ServiceConfigInputSchema.safeParse(normalised);
  if (!result.success) throw invalid('service_config.json', result.error);
  return toAosServiceConfig(result.data);
}

/**
 * Validate an OCI image config read back on the device. `config` keys are matched
 * case-insensitively; null lists (as Docker writes them) are dropped.
 * @throws ConfigError 'invalid-device-config' listing every problem.
 */
export function parseOciImageConfig(json: unknown): OciImageConfig {
  const normalised = normaliseKeys(json, { config: ['Cmd', 'Entrypoint', 'Env', 'WorkingDir', 'ExposedPorts'] });
  const result = ImageConfigInputSchema.safeParse(normalised);
  if (!result.success) throw invalid('image config', result.error);
  return toOciImageConfig(result.data);
}

function toAosServiceConfig(input: ServiceConfigInput): AosServiceConfig {
  const config: AosServiceConfig = {
    created: input.created,
    author: input.author,
    skipResourceLimits: input.skipResourceLimits,
    balancingPolicy: input.balancingPolicy,
    runners: input.runners ?? toRunners(input),
    quotas: stripUndefined({ ...input.quotas }),
  };
  if (input.hostname !== undefined) config.hostname = input.hostname;
  if (input.runParameters) config.runParameters = stripUndefined({ ...input.runParameters });
  if (input.sysctl) config.sysctl = Array.isArray(input.sysctl) ? Object.assign({}, ...input.sysctl) : input.sysctl;
  if (input.offlineTTL) config.offlineTTL = input.offlineTTL;
  if (input.requestedResources) config.requestedResources = stripUndefined({ ...input.requestedResources });
  if (input.allowedConnections) {
    const names = Array.isArray(input.allowedConnections)
      ? input.allowedConnections
      : Object.keys(input.allowedConnections);
    config.allowedConnections = Object.fromEntries(names.map((name) => [name, {}]));
  }
  if (input.exposedPorts) config.exposedPorts = input.exposedPorts;
  if (input.devices) config.devices = Array.isArray(input.devices) ? input.devices : [input.devices];
  // Era B folds devices into resources as {name, mode}; only the names are resources here.
  if (input.resources) config.resources = input.resources.map((item) => (typeof item === 'string' ? item : item.name));
  if (input.permissions) config.permissions = input.permissions;
  if (input.alertRules) {
    const { ram, cpu, partitions, storage, download, upload } = input.alertRules;
    const rules: NonNullable<AosServiceConfig['alertRules']> = {};
    if (ram) rules.ram = ram;
    if (cpu) rules.cpu = cpu;
    if (partitions || storage) rules.partitions = [...(partitions ?? []), ...(storage ? [storage] : [])];
    if (download) rules.download = download;
    if (upload) rules.upload = upload;
    config.alertRules = rules;
  }
  return config;
}

function toRunners(input: ServiceConfigInput): string[] {
  if (input.runtimes)
    return input.runtimes.map((runtime) => (typeof runtime === 'string' ? runtime : runtime.codename));
  if (input.runner !== undefined) return [input.runner];
  return [...DEFAULT_RUNNERS];
}

function toOciImageConfig(input: ImageConfigInput): OciImageConfig {
  const image: OciImageConfig = {
    architecture: input.architecture,
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: input.rootfs.diff_ids },
  };
  if (input.created !== undefined) image.created = input.created;
  if (input.author !== undefined) image.author = input.author;
  const { Cmd, Entrypoint, Env, WorkingDir, ExposedPorts } = input.config ?? {};
  if (Cmd) image.config.Cmd = Cmd;
  if (Entrypoint) image.config.Entrypoint = Entrypoint;
  if (Env) image.config.Env = Env;
  if (WorkingDir !== undefined && WorkingDir !== '') image.config.WorkingDir = WorkingDir;
  if (ExposedPorts) image.config.ExposedPorts = Object.fromEntries(Object.keys(ExposedPorts).map((port) => [port, {}]));
  return image;
}

/**
 * Copy `json`, renaming keys of the listed objects ('' = the root) to their canonical
 * spelling when they match case-insensitively, as the device readers do (Go writes
 * `offlineTtl`, the C++ reader asks for `cpuDMIPSLimit`). Other values are left as they are.
 */
function normaliseKeys(json: unknown, canonical: Record<string, string[]>): unknown {
  if (!isRecord(json)) return json;
  const rename = (object: Record<string, unknown>, names: string[]): Record<string, unknown> => {
    const byLowerCase = new Map(names.map((name) => [name.toLowerCase(), name]));
    return Object.fromEntries(
      Object.entries(object).map(([key, value]) => [byLowerCase.get(key.toLowerCase()) ?? key, value]),
    );
  };
  const root = rename(json, canonical[''] ?? []);
  for (const [name, names] of Object.entries(canonical)) {
    if (name === '') continue;
    const value = root[name];
    if (isRecord(value)) root[name] = rename(value, names);
  }
  return root;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stripUndefined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

function invalid(what: string, error: z.ZodError): ConfigError {
  const problems: ConfigProblem[] = error.issues.map((issue) => ({
    file: what,
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  const summary = problems.map((problem) => `${problem.path || '(root)'}: ${problem.message}`).join('; ');
  return new ConfigError('invalid-device-config', `validating ${what}: ${summary}`, { file: what, problems });
}
