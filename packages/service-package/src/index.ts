export { PackageError, type PackageErrorCode } from './package-error.js';
export type {
  BuildProgress,
  BuildServicePackageOptions,
  BuiltServicePackage,
  InspectedEntry,
  InspectServicePackageOptions,
  PackageInspection,
  PackageLimits,
  PackageSigner,
  PackageTrust,
  SignedFile,
  VerifiedPackage,
  VerifyServicePackageOptions,
} from './types.js';
export { buildServicePackage } from './build-service-package.js';
export { verifyServicePackage } from './verify-service-package.js';
export { inspectServicePackage } from './inspect-service-package.js';
