import type { InspectServicePackageOptions, PackageInspection } from './types.js';

/** Describe a service package for people (`aos inspect`); reports problems instead of throwing. */
export async function inspectServicePackage(path: string, options: InspectServicePackageOptions = {}): Promise<PackageInspection> {
  void path;
  void options;
  throw new Error('inspectServicePackage: not implemented yet');
}
