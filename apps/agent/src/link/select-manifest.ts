import { arch } from 'node:process';

interface IndexEntry {
  mediaType?: unknown;
  digest?: unknown;
  size?: unknown;
  platform?: { architecture?: unknown; os?: unknown };
}

/** This machine's architecture as OCI names it (`amd64`, `arm64`…). */
export function ociArchitecture(nodeArch: string = arch): string {
  const names: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le' };
  return names[nodeArch] ?? nodeArch;
}

/**
 * The manifest of an OCI image index for this unit: the linux entry of its architecture, or the
 * only entry when the index names one manifest without a platform. Throws with the reason. Pure.
 */
export function selectManifest(indexText: string, architecture: string): { digest: string; size: number } {
  let index: { manifests?: unknown };
  try {
    index = JSON.parse(indexText) as { manifests?: unknown };
  } catch {
    throw new Error('the image index is not JSON');
  }
  if (!Array.isArray(index.manifests) || index.manifests.length === 0)
    throw new Error('the image index names no manifest');
  const entries = index.manifests as IndexEntry[];
  const matching = entries.filter(
    (entry) =>
      entry.platform === undefined ||
      (entry.platform.architecture === architecture && (entry.platform.os ?? 'linux') === 'linux'),
  );
  const chosen =
    matching.find((entry) => entry.platform !== undefined) ?? (entries.length === 1 ? matching[0] : undefined);
  if (!chosen) {
    const offered = entries.map((entry) => `${String(entry.platform?.os)}/${String(entry.platform?.architecture)}`);
    throw new Error(`the image has no manifest for linux/${architecture} (it offers ${offered.join(', ')})`);
  }
  if (typeof chosen.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(chosen.digest))
    throw new Error('the image index names a manifest without a sha256 digest');
  if (typeof chosen.size !== 'number' || !Number.isInteger(chosen.size) || chosen.size < 0)
    throw new Error(`the image index gives no size for manifest ${chosen.digest}`);
  return { digest: chosen.digest, size: chosen.size };
}
