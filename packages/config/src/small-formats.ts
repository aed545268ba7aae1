/**
 * `@openaos/config/small-formats`: the durations, sizes and versions of config.yaml as plain
 * functions, without the YAML parser and the config schemas the package index loads. For a
 * long-running reader that needs only these (the device agent: about 1 MiB less resident).
 */
export { ConfigError, type ConfigErrorCode } from './config-error.js';
export { isIsoDuration, parseIsoDuration } from './parse-duration.js';
export { parseSize } from './parse-size.js';
export { compareSemVer, parseSemVer, type SemVer } from './schema/patterns.js';
