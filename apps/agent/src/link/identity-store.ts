/**
 * The unit's identity, made at provisioning (link/provision-unit.ts) and used by every connection:
 * its private key, its certificate chain, the cloud CA it trusts and where the cloud is.
 *
 * Where: `<storage-dir>-identity/` by default, a sibling of the storage dir, because the agent
 * mounts a filesystem (tmpfs or loop image) ON the storage dir: anything under it would be hidden
 * by that mount (provisioned before the first `run`) or lost with it (a tmpfs at reboot).
 *
 * Files: `unit.key.pem` (0600), `unit.crt.pem` (leaf + chain), `ca.crt.pem`, `cloud.json`
 * (`{url, systemId}`). Each is written atomically and `cloud.json` last, so an interrupted
 * provisioning leaves no identity that looks complete.
 */
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
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

/** Store a new identity (provisioning). The key file is created 0600 and stays so. */
export async function writeIdentity(
  directory: string,
  identity: { cloudUrl: string; systemId: string; keyPem: string; chainPem: string; caPem: string },
): Promise<void> {
  const files = identityFiles(directory);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await writeFileAtomic(files.key, identity.keyPem);
  await chmod(files.key, 0o600);
  await writeFileAtomic(files.certificate, identity.chainPem);
  await writeFileAtomic(files.ca, identity.caPem);
  await chmod(files.certificate, 0o644);
  await chmod(files.ca, 0o644);
  await writeFileAtomic(
    files.cloud,
    JSON.stringify({ url: identity.cloudUrl, systemId: identity.systemId }, null, 1) + '\n',
  );
  await chmod(files.cloud, 0o644);
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
