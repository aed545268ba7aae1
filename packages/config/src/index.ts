// Errors and their formatting
export { ConfigError, isErrorProblem, type ConfigErrorCode, type ConfigProblem } from './config-error.js';
export { formatProblems } from './format-problems.js';

// meta/config.yaml (schema v1): types, parsing, validation
export type {
  AlertSetting,
  AlertSettings,
  BuildSection,
  DeviceRequest,
  InstanceSettings,
  LayerReference,
  PublishSection,
  PublisherSection,
  Quotas,
  RequestedResources,
  RunParameters,
  Runner,
  ServiceConfig,
  ServiceConfiguration,
  StateSettings,
  SymlinkPolicy,
} from './types.js';
export {
  parseServiceConfig,
  validateServiceConfig,
  type ParseServiceConfigOptions,
  type ServiceConfigValidation,
} from './parse-service-config.js';
export { loadServiceConfig } from './load-service-config.js';
export { defaultConfigTemplate, type ConfigTemplateOptions } from './default-config-template.js';
export { MEMORY_LIMIT_MIN } from './schema/read-resources.js';
export { DEFAULT_YAML_LIMITS, type YamlLimits } from './yaml/yaml-limits.js';

// Units and small formats
export { parseSize } from './parse-size.js';
export { isIsoDuration, parseIsoDuration } from './parse-duration.js';
export { compareSemVer, parseSemVer, type SemVer } from './schema/patterns.js';
export { formatPortSpec, parsePortSpec, type PortSpec } from './port-spec.js';
export { splitCommand } from './split-command.js';
export { mapArchitecture, type ImageArchitecture } from './map-architecture.js';

// Device-side documents: translation and validation
export {
  SERVICE_CONFIG_MEDIA_TYPE,
  type AlertRule,
  type AosServiceConfig,
  type AosServiceQuotas,
  type OciImageConfig,
} from './device-types.js';
export { toImageConfig } from './translate-image-config.js';
export { DEFAULT_RUNNERS, toServiceConfigJson } from './translate-service-config.js';
export { parseAosServiceConfig, parseOciImageConfig } from './parse-device-config.js';
