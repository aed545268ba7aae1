/**
 * The unit's identity, made at provisioning (link/provision-unit.ts) and used by every connection:
 * its private key, its certificate chain, the cloud CA it trusts and where the cloud is.
 *
 * Where: `<storage-dir>-identity/` by default, a sibling of the storage dir, because the agent
 * mounts a filesystem (tmpfs or loop image) ON the storage dir: anything under it would be hidden
 * by that mount (provisioned before the first `run`) or lost with it (a tmpfs at reboot).
 *
 * Files: `unit.key.pem` (0600), `unit.crt.pem` (leaf + chain), `ca.crt.pem`, `cloud.json`
 * (`{url, systemId}`), written together (see writeIdentity).
 */
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { readPemCertificates, readPemCredential, type Credential } from '@openaos/pki';
import { AgentError } from '../errors.js';
import { writeFileAtomic } from '../persist/atomic-write.js';
import { identityFiles } from './identity-paths.js';

export interface UnitIdentity {
  /** The cloud's base URL (`http(s)://host[:port]`), as given at provisioning. */
  cloudUrl: string;
  systemId: string;
  /** The unit's key, certificate and chain: signs the `AosCert` proofs. */
  credential: Credential;
  /** The cloud CA: trusted for the desired-status signer. */
  trustedCa: X509Certificate[];
}

/**
 * Store a new identity (provisioning): written complete into `<dir>.new/` (key 0600), then put in
 * place by renames, so a replaced identity (`--force`) is never half old, half new: a crash
 * leaves the old one or the new one (and at worst a `.new`/`.old` directory, cleared next time).
 */
export async function writeIdentity(
  directory: string,
  identity: { cloudUrl: string; systemId: string; keyPem: string; chainPem: string; caPem: string },
): Promise<void> {
  const staging = `${directory}.new`;
  const previous = `${directory}.old`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true, mode: 0o700 });
  const files = identityFiles(staging);
  await writeFileAtomic(files.key, identity.keyPem);
  await chmod(files.key, 0o600);
  for (const [path, content] of [
    [files.certificate, identity.chainPem],
    [files.ca, identity.caPem],
    [files.cloud, JSON.stringify({ url: identity.cloudUrl, systemId: identity.systemId }, null, 1) + '\n'],
  ] as const) {
    await writeFileAtomic(path, content);
    await chmod(path, 0o644);
  }
  await rm(previous, { recursive: true, force: true });
  await rename(directory, previous).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  });
  await rename(staging, directory);
  await rm(previous, { recursive: true, force: true });
}

/** Load the identity; a clear AgentError when it is missing or damaged. */
export async function readIdentity(directory: string): Promise<UnitIdentity> {
  const files = identityFiles(directory);
  const read = (path: string) =>
    readFile(path, 'utf8').catch((error: unknown) => {
      throw new AgentError(
        'no-identity',
        `reading the unit identity: ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}; provision the unit with aos-agent provision --cloud <url> --token <token>`,
        { cause: error },
      );
    });
  let cloud: { url?: unknown; systemId?: unknown };
  try {
    cloud = JSON.parse(await read(files.cloud)) as typeof cloud;
  } catch (error) {
    if (error instanceof AgentError) throw error;
    throw new AgentError(
      'no-identity',
      `reading the unit identity: ${files.cloud} is not JSON; provision again with --force`,
    );
  }
  if (typeof cloud.url !== 'string' || typeof cloud.systemId !== 'string')
    throw new AgentError(
      'no-identity',
      `reading the unit identity: ${files.cloud} lacks "url" or "systemId"; provision again with --force`,
    );
  try {
    const credential = readPemCredential(await read(files.key), await read(files.certificate));
    const trustedCa = readPemCertificates(await read(files.ca));
    if (trustedCa.length === 0) throw new Error(`${files.ca} holds no certificate`);
    return { cloudUrl: cloud.url, systemId: cloud.systemId, credential, trustedCa };
  } catch (error) {
    if (error instanceof AgentError) throw error;
    throw new AgentError(
      'no-identity',
      `reading the unit identity in ${directory}: ${(error as Error).message}; provision again with --force`,
      { cause: error },
    );
  }
}
