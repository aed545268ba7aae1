import type { AlertRule, AosServiceConfig, AosServiceQuotas } from './device-types.js';
import { toExposedPorts } from './translate-image-config.js';
import type { AlertSetting, Quotas, ServiceConfig } from './types.js';

/** Runners used when the config names none ("Absence means [runc, crun]"). */
export const DEFAULT_RUNNERS = ['runc', 'crun'] as const;

const QUOTA_NAMES: readonly (readonly [keyof Quotas, keyof AosServiceQuotas])[] = [
  ['cpu', 'cpuLimit'],
  ['mem', 'ramLimit'],
  ['temp', 'tmpLimit'],
  ['state', 'stateLimit'],
  ['storage', 'storageLimit'],
  ['upload_speed', 'uploadSpeed'],
  ['download_speed', 'downloadSpeed'],
  ['upload', 'uploadLimit'],
  ['download', 'downloadLimit'],
];

/**
 * service_config.json (application/vnd.aos.service.config.v1+json, reference §3.3/§3.5).
 * Not included: `instances` (they go to the desired status), `layers` (manifest),
 * `downloadTTL` (cloud side), `state` (the default state is served by the cloud).
 * Precondition: `config` came from parseServiceConfig.
 */
export function toServiceConfigJson(
  config: ServiceConfig,
  options: { created: string; author?: string },
): AosServiceConfig {
  const { configuration } = config;
  const serviceConfig: AosServiceConfig = {
    created: options.created,
    author: options.author ?? config.publisher?.author ?? config.publisher?.company ?? 'OpenAos',
    skipResourceLimits: !configuration.isResourceLimits,
    balancingPolicy: configuration.balancingPolicy,
    runners:
      configuration.runners ?? (configuration.runner === undefined ? [...DEFAULT_RUNNERS] : [configuration.runner]),
    quotas: toQuotas(configuration.quotas),
  };
  if (configuration.hostname !== undefined) serviceConfig.hostname = configuration.hostname;
  if (configuration.runParameters !== undefined) serviceConfig.runParameters = { ...configuration.runParameters };
  if (configuration.offlineTTL !== undefined) serviceConfig.offlineTTL = configuration.offlineTTL;
  if (configuration.requestedResources !== undefined) {
    serviceConfig.requestedResources = { ...configuration.requestedResources };
  }
  if (configuration.allowedConnections !== undefined && configuration.allowedConnections.length > 0) {
    serviceConfig.allowedConnections = Object.fromEntries(configuration.allowedConnections.map((text) => [text, {}]));
  }
  const ports = toExposedPorts(configuration.exposedPorts);
  if (ports.length > 0) serviceConfig.exposedPorts = ports;
  if (configuration.devices !== undefined && configuration.devices.length > 0) {
    serviceConfig.devices = configuration.devices.map(({ name, mode }) => ({ name, permissions: mode }));
  }
  if (configuration.resources !== undefined && configuration.resources.length > 0) {
    serviceConfig.resources = [...configuration.resources];
  }
  if (configuration.permissions !== undefined) {
    serviceConfig.permissions = Object.fromEntries(
      Object.entries(configuration.permissions).map(([server, functions]) => [server, { ...functions }]),
    );
  }
  const alertRules = toAlertRules(configuration.alerts);
  if (alertRules !== undefined) serviceConfig.alertRules = alertRules;
  return serviceConfig;
}

function toQuotas(quotas: Quotas | undefined): AosServiceQuotas {
  const result: AosServiceQuotas = {};
  for (const [from, to] of QUOTA_NAMES) {
    const value = quotas?.[from];
    if (value !== undefined) result[to] = value;
  }
  return result;
}

function toAlertRules(alerts: ServiceConfig['configuration']['alerts']): AosServiceConfig['alertRules'] {
  if (alerts === undefined) return undefined;
  const rules: NonNullable<AosServiceConfig['alertRules']> = {};
  for (const kind of ['ram', 'cpu', 'upload', 'download'] as const) {
    const alert = alerts[kind];
    if (alert !== undefined) rules[kind] = toAlertRule(alert);
  }
  // The device watches storage per partition; the service's storage is the "storage" one.
  if (alerts.storage !== undefined) rules.partitions = [{ name: 'storage', ...toAlertRule(alerts.storage) }];
  return Object.keys(rules).length > 0 ? rules : undefined;
}

function toAlertRule(alert: AlertSetting): AlertRule {
  return { minTimeout: alert.minTime, minThreshold: alert.minThreshold, maxThreshold: alert.maxThreshold };
}
