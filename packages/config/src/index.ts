export { ConfigError, isErrorProblem, type ConfigErrorCode, type ConfigProblem } from './config-error.js';
export { formatProblems } from './format-problems.js';
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
export { parseSize } from './parse-size.js';
export { parseIsoDuration } from './parse-duration.js';
export { mapArchitecture, type ImageArchitecture } from './map-architecture.js';
export {
  SERVICE_CONFIG_MEDIA_TYPE,
  type AlertRule,
  type AosServiceConfig,
  type AosServiceQuotas,
  type OciImageConfig,
} from './device-types.js';
export { toImageConfig } from './translate-image-config.js';
export { toServiceConfigJson } from './translate-service-config.js';
export { parseAosServiceConfig, parseOciImageConfig } from './parse-device-config.js';
export { defaultConfigTemplate, type ConfigTemplateOptions } from './default-config-template.js';
