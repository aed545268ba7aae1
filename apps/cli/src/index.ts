/**
 * @openaos/cli as a library: every `aos` command is a plain async function that tests and
 * other code call directly; `main.ts` is only the command-line shell around them.
 */
export { CliError, EXIT_CODES, exitCodeOf, type CliErrorCode } from './errors.js';
export { readEnvironment, type CliEnvironment } from './env.js';
export { aosHomePaths, defaultPkcs12Name, type AosHomePaths } from './aos-home.js';
