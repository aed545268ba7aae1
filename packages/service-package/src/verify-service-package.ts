import type { VerifiedPackage, VerifyServicePackageOptions } from './types.js';

/** Verify a service package: layout, signature, signer trust, hashes, config. */
export async function verifyServicePackage(path: string, options: VerifyServicePackageOptions): Promise<VerifiedPackage> {
  void path;
  void options;
  throw new Error('verifyServicePackage: not implemented yet');
}
