import type { BuildServicePackageOptions, BuiltServicePackage } from './types.js';

/**
 * Build the signed service package in aos-signer's layout (service.tar.gz holding config.yaml,
 * package.sign and the inner service.tar.gz). One pass over the source files; written atomically.
 */
export async function buildServicePackage(options: BuildServicePackageOptions): Promise<BuiltServicePackage> {
  void options;
  throw new Error('buildServicePackage: not implemented yet');
}
