import type { Runner, ServiceConfiguration } from '../types.js';
import { isPrerelease } from './patterns.js';
import { readAllowedConnections, readExposedPorts, readHostname } from './read-network.js';
import { readAlerts, readDevices, readPermissions, readQuotas, readRequestedResources } from './read-resources.js';
import {
  readCommand,
  readEnvironment,
  readInstances,
  readLayers,
  readRunParameters,
  readState,
} from './read-runtime.js';
import { readBoolean, readDuration, readEnum, readString, readStringList } from './read-values.js';
import { entry, type Field, type YamlReader } from './yaml-reader.js';

export const CONFIGURATION_KEYS = [
  'cmd',
  'workingDir',
  'state',
  'layers',
  'env',
  'instances',
  'runParameters',
  'offlineTTL',
  'downloadTTL',
  'isResourceLimits',
  'runner',
  'runners',
  'balancingPolicy',
  'hostname',
  'exposedPorts',
  'allowedConnections',
  'quotas',
  'requestedResources',
  'alerts',
  'devices',
  'resources',
  'permissions',
] as const;

export const RUNNERS: readonly Runner[] = ['runc', 'crun', 'runx', 'xrun'];

/**
 * `configuration`. `version` is publish.version (already validated), needed for the
 * isResourceLimits rule.
 */
export function readConfiguration(
  reader: YamlReader,
  field: Field,
  version: string | undefined,
): ServiceConfiguration | undefined {
  const entries = reader.readMap(field, CONFIGURATION_KEYS);
  if (entries === undefined) return undefined;
  const at = (key: string): Field => entry(entries, field, key);
  const configuration: ServiceConfiguration = {
    isResourceLimits: readBoolean(reader, at('isResourceLimits')) ?? true,
    balancingPolicy: readEnum(reader, at('balancingPolicy'), ['enabled', 'disabled'] as const) ?? 'enabled',
  };
  const runner = readEnum(reader, at('runner'), RUNNERS);
  const runners = readRunners(reader, at('runners'));
  if (runner !== undefined && runners !== undefined) {
    reader.report(at('runner'), 'runner is ignored because runners is given', {
      severity: 'warning',
      hint: 'keep only runners (a list)',
    });
  }
  const effectiveRunners = runners ?? (runner === undefined ? undefined : [runner]);
  // aos-signer checks the memory minimum when the runner is runc, crun or unspecified.
  const mayUseRunc =
    effectiveRunners === undefined || effectiveRunners.some((name) => name === 'runc' || name === 'crun');

  assign(configuration, 'cmd', readCommand(reader, at('cmd')));
  assign(
    configuration,
    'workingDir',
    readString(reader, at('workingDir'), {
      pattern: /^\//,
      expected: 'an absolute path in the container, e.g. /',
      mismatch: 'is not an absolute path',
    }),
  );
  assign(configuration, 'state', readState(reader, at('state')));
  assign(configuration, 'layers', readLayers(reader, at('layers')));
  assign(configuration, 'env', readEnvironment(reader, at('env')));
  assign(configuration, 'instances', readInstances(reader, at('instances')));
  assign(configuration, 'runParameters', readRunParameters(reader, at('runParameters')));
  assign(configuration, 'offlineTTL', readDuration(reader, at('offlineTTL')));
  assign(configuration, 'downloadTTL', readDuration(reader, at('downloadTTL')));
  assign(configuration, 'runner', runner);
  assign(configuration, 'runners', runners);
  assign(configuration, 'hostname', readHostname(reader, at('hostname')));
  assign(configuration, 'exposedPorts', readExposedPorts(reader, at('exposedPorts')));
  assign(configuration, 'allowedConnections', readAllowedConnections(reader, at('allowedConnections')));
  assign(configuration, 'quotas', readQuotas(reader, at('quotas'), mayUseRunc));
  assign(configuration, 'requestedResources', readRequestedResources(reader, at('requestedResources'), mayUseRunc));
  assign(configuration, 'alerts', readAlerts(reader, at('alerts')));
  assign(configuration, 'devices', readDevices(reader, at('devices')));
  assign(configuration, 'resources', readStringList(reader, at('resources'), { itemExpected: 'a resource name' }));
  assign(configuration, 'permissions', readPermissions(reader, at('permissions')));

  if (!configuration.isResourceLimits && version !== undefined && !isPrerelease(version)) {
    reader.report(at('isResourceLimits'), `cannot ignore resource limits: version ${version} is not a pre-release`, {
      expected: 'isResourceLimits: false only with a pre-release publish.version such as "1.0.0-beta.1"',
      hint: 'remove isResourceLimits: false, or publish this build as a pre-release version',
    });
  }
  return configuration;
}

function readRunners(reader: YamlReader, field: Field): Runner[] | undefined {
  const items = reader.readList(field, `a list of runners among: ${RUNNERS.join(', ')}`);
  if (items === undefined) return undefined;
  const runners: Runner[] = [];
  for (const item of items) {
    const runner = readEnum(reader, item, RUNNERS);
    if (runner === undefined && reader.isAbsent(item)) {
      reader.report(item, 'is empty', { expected: `one of: ${RUNNERS.join(', ')}` });
    }
    if (runner !== undefined && !runners.includes(runner)) runners.push(runner);
  }
  if (runners.length === 0 && items.length === 0) {
    reader.report(field, 'the list is empty', {
      expected: `at least one of: ${RUNNERS.join(', ')}`,
      hint: 'remove runners to use the default (runc, crun)',
    });
  }
  return runners.length > 0 ? runners : undefined;
}

/** Set an optional property only when there is a value (exactOptionalPropertyTypes-safe). */
function assign<K extends keyof ServiceConfiguration>(
  target: ServiceConfiguration,
  key: K,
  value: ServiceConfiguration[K] | undefined,
): void {
  if (value !== undefined) target[key] = value;
}
