import { X509Certificate } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { eq } from 'drizzle-orm';
import { schema } from '@openaos/db';
import { verifyServicePackage } from '@openaos/service-package';
import type { CloudDependencies } from '../../dependencies.js';

/**
 * A version's default state: `default_state.dat` of its package (aos-signer ships
 * `meta/<state.filename>` so when `configuration.state.required`). The upload keeps the whole
 * signed package as a blob but not this file apart, so it is read from the stored package the
 * first time a unit needs it and kept in `version_default_states`. Undefined when the package
 * has none (or the version has no stored package).
 */
export async function readVersionDefaultState(
  deps: Pick<CloudDependencies, 'db' | 'blobs' | 'authority' | 'tempDirectory' | 'now'>,
  versionId: string,
): Promise<string | undefined> {
  const [cached] = await deps.db
    .select({ content: schema.versionDefaultStates.content })
    .from(schema.versionDefaultStates)
    .where(eq(schema.versionDefaultStates.versionId, versionId));
  if (cached) return cached.content ?? undefined;
  const [version] = await deps.db
    .select({
      packageDigest: schema.serviceVersions.packageDigest,
      summary: schema.serviceVersions.configSummary,
      signerFingerprint: schema.serviceVersions.signerFingerprint,
    })
    .from(schema.serviceVersions)
    .where(eq(schema.serviceVersions.id, versionId));
  if (!version?.packageDigest) return undefined;
  // An aos-signer package names its signer by kid only: offer the certificate that signed it.
  const signers = version.signerFingerprint
    ? await deps.db
        .select({ pem: schema.userCredentials.certificatePem })
        .from(schema.userCredentials)
        .where(eq(schema.userCredentials.fingerprint256, version.signerFingerprint))
    : [];
  const content =
    version.summary?.hasDefaultState === false
      ? undefined
      : await readFromPackage(
          deps,
          version.packageDigest,
          signers.map((row) => new X509Certificate(row.pem)),
        );
  await deps.db
    .insert(schema.versionDefaultStates)
    .values({ versionId, content: content ?? null, readAt: deps.now() })
    .onConflictDoNothing();
  return content;
}

async function readFromPackage(
  deps: Pick<CloudDependencies, 'blobs' | 'authority' | 'tempDirectory'>,
  digest: string,
  certificates: X509Certificate[],
): Promise<string | undefined> {
  await mkdir(deps.tempDirectory, { recursive: true });
  const directory = await mkdtemp(join(deps.tempDirectory, 'default-state-'));
  try {
    const path = join(directory, 'service.tar.gz');
    await pipeline(deps.blobs.get(digest), createWriteStream(path));
    // The package was verified at upload and is content-addressed since: its signer need not be
    // trusted again (its credential may have been revoked meanwhile).
    const opened = await verifyServicePackage(path, {
      trust: { roots: [deps.authority.certificate], certificates },
      requireTrust: false,
      tempDirectory: directory,
    });
    try {
      return (await opened.readDefaultState())?.toString('utf8');
    } finally {
      await opened.close();
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
