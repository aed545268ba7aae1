import type { X509Certificate } from 'node:crypto';
import type { ArchiveLimits, SafeEntry } from '@openaos/archive';
import type { ServiceConfig } from '@openaos/config';
import type { Credential } from '@openaos/pki';

export type PackageLimits = ArchiveLimits;

export interface BuildProgress {
  phase: 'scanning' | 'packing' | 'signing' | 'writing';
  /** Files handled so far (while scanning: files found). */
  files: number;
  /** Bytes of file content handled so far. */
  bytes: number;
  /** Total bytes of file content, known once scanning is done. */
  totalBytes?: number;
  /** Total number of files, known once scanning is done. */
  totalFiles?: number;
}

export interface BuildServicePackageOptions {
  /** The folder holding meta/config.yaml and the source folder. */
  serviceDir: string;
  credential: Credential;
  /** Default <serviceDir>/<build.package_folder>/service.tar.gz. */
  outputPath?: string;
  /** mtime of every archive entry but package.sign (default 2000-01-01T00:00:00Z), so the same files give the same bytes. */
  mtime?: Date;
  /**
   * When the package is signed (default: now), whole seconds. Written as the mtime of
   * package.sign, where aos-signer's packages carry their signing time too; the image built from
   * the package takes its `created` time from it. Give a fixed time (SOURCE_DATE_EPOCH) and the
   * same inputs give the same bytes.
   */
  signedAt?: Date;
  onProgress?: (progress: BuildProgress) => void;
}

/** One file listed in package.sign. */
export interface SignedFile {
  name: string;
  /** SHA3-512, lowercase hex. */
  hash: string;
  size: number;
}

export interface BuiltServicePackage {
  path: string;
  size: number;
  /** Of the whole package file, computed while writing it (no second read needed). */
  digests: { sha256: string; sha3_512: string };
  config: ServiceConfig;
  files: SignedFile[];
}

export interface PackageTrust {
  /** CA certificates a JWS x5c chain must lead to. */
  roots?: X509Certificate[];
  /** Leaf certificates looked up by kid when the JWS carries no x5c (packages made by aos-signer). */
  certificates?: X509Certificate[];
}

export interface VerifyServicePackageOptions {
  trust: PackageTrust;
  limits?: Partial<PackageLimits>;
  /** Default true. When false, a valid signature by an unknown signer is accepted (x5c only). */
  requireTrust?: boolean;
  /** Where temp files go (default os.tmpdir()). */
  tempDirectory?: string;
  /**
   * Absolute symlink targets in service/ (they resolve inside the container's root) are
   * refused unless 'allow'; `aos sign` never writes them, aos-signer's symlinks: copy may.
   */
  absoluteSymlinks?: 'refuse' | 'allow';
}

export interface PackageSigner {
  certificate: X509Certificate;
  keyId: string;
  subject: { commonName?: string; organization?: string; organizationalUnit?: string };
}

export interface VerifiedPackage {
  configText: string;
  config: ServiceConfig;
  signer: PackageSigner;
  /** From package.sign, checked against the archive. */
  files: SignedFile[];
  /**
   * ISO time the package was signed: the mtime of package.sign in the outer archive (aos-signer
   * and `aos sign` both write it when signing). Not covered by the signature: informational,
   * the image's `created` time.
   */
  created: string;
  /** The service/ tree as safe entries, names relative to service/ (rootfs paths). */
  serviceEntries(): AsyncIterable<SafeEntry>;
  hasDefaultState: boolean;
  /** The default state file content (default_state.dat), when the package has one. */
  readDefaultState(): Promise<Buffer | undefined>;
  /** Removes temp files. */
  close(): Promise<void>;
}

export interface InspectedEntry {
  name: string;
  size: number;
  /** SHA3-512 hex, for config.yaml and service.tar.gz. */
  hash?: string;
}

export interface PackageInspection {
  path: string;
  size: number;
  entries: InspectedEntry[];
  signedFiles?: SignedFile[];
  signer?: {
    keyId?: string;
    subject?: { commonName?: string; organization?: string; organizationalUnit?: string };
    issuer?: string;
    serialNumber?: string;
    validFrom?: string;
    validTo?: string;
    hasChain: boolean;
  };
  config?: ServiceConfig;
  /** ISO time the package was signed (the mtime of package.sign), as VerifiedPackage.created. */
  created?: string;
  /** ok with trusted false: the signature matches the certificate the package carries, but no trust was given to check it against. */
  verification: { ok: true; trusted: boolean } | { ok: false; code: string; message: string; entry?: string };
}

export interface InspectServicePackageOptions {
  trust?: PackageTrust;
  limits?: Partial<PackageLimits>;
  tempDirectory?: string;
}
