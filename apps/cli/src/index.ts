/**
 * @openaos/cli as a library: every `aos` command is a plain async function that tests and
 * other code call directly; `program.ts`/`main.ts` are only the command-line shell around them.
 */
export { CliError, EXIT_CODES, exitCodeOf, type CliErrorCode } from './errors.js';
export { readEnvironment, type CliEnvironment } from './env.js';
export { aosHomePaths, defaultPkcs12Name, type AosHomePaths } from './aos-home.js';
export { runInit, type InitOptions, type InitResult } from './commands/init.js';
export { runValidate, type ValidateOptions, type ValidateResult } from './commands/validate.js';
export { runSign, type SignOptions, type SignResult } from './commands/sign.js';
export { runInspect, type InspectOptions, type InspectResult } from './commands/inspect.js';
export { runImageBuild, type ImageBuildOptions, type ImageBuildResult } from './commands/image-build.js';
export {
  runCredentialsDev,
  type DevCredentialsOptions,
  type DevCredentialsResult,
} from './commands/credentials-dev.js';
export {
  runCredentialsShow,
  type ShowCredentialsOptions,
  type ShowCredentialsResult,
} from './commands/credentials-show.js';
export { loadTrust, type TrustOptions, type TrustSet } from './trust.js';
export { createProgram, runCli, type CliIo } from './program.js';
export { runLogin, type LoginOptions, type LoginResult } from './commands/login.js';
export {
  runServiceCreate,
  runServiceList,
  runServiceShow,
  type ServiceSummary,
  type ServiceDetail,
} from './commands/service.js';
export { runUpload, type UploadOptions, type UploadResult } from './commands/upload.js';
export { runGo, type GoOptions, type GoResult } from './commands/go.js';
export { runUnitList, runUnitShow, runUnitCreate, runUnitRemove } from './commands/unit.js';
export {
  runUnitSetList,
  runUnitSetShow,
  runUnitSetCreate,
  runUnitSetAddUnits,
  runUnitSetRemoveUnits,
} from './commands/unit-set.js';
export { runVersionList, runVersionApprove, type VersionView } from './commands/version.js';
export { runSubjectList, runSubjectShow, runSubjectCreate, runSubjectBind } from './commands/subject.js';
export { uploadPackage, type UploadPackageOptions } from './cloud/upload-package.js';
