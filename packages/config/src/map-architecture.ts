/** OCI architectures a service image can have (AosEdge supports amd64 and arm; arm64 too). */
export type ImageArchitecture = 'amd64' | 'arm' | 'arm64';

const ARCHITECTURE_ALIASES: Readonly<Record<string, ImageArchitecture>> = {
  x86: 'amd64',
  x86_64: 'amd64',
  'x86-64': 'amd64',
  amd64: 'amd64',
  arm: 'arm',
  armv7: 'arm',
  armhf: 'arm',
  aarch64: 'arm64',
  arm64: 'arm64',
};

/** Architecture names build.arch may hold, for validation messages. */
export const KNOWN_BUILD_ARCHITECTURES = Object.keys(ARCHITECTURE_ALIASES);

/** True when mapArchitecture knows the name (case-insensitive). */
export function isKnownArchitecture(buildArch: string): boolean {
  return ARCHITECTURE_ALIASES[buildArch.toLowerCase()] !== undefined;
}

/**
 * Map aos-signer's `build.arch` to an OCI architecture: x86/x86_64/amd64 → amd64,
 * arm/armv7 → arm, aarch64/arm64 → arm64. An absent arch means amd64 (the examples'
 * `x86`). An unknown name also maps to amd64: validation reports it before this is used.
 */
export function mapArchitecture(buildArch: string | undefined): ImageArchitecture {
  if (buildArch === undefined) return 'amd64';
  return ARCHITECTURE_ALIASES[buildArch.toLowerCase()] ?? 'amd64';
}
