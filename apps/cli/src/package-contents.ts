import { createHash, X509Certificate } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readTarEntries } from '@openaos/archive';
import { decodeJws } from '@openaos/pki';

/** One entry of the outer service.tar.gz. */
export interface OuterEntry {
  name: string;
  type: string;
  size: number;
  /** SHA3-512 of a file entry (what package.sign lists for service.tar.gz and config.yaml). */
  sha3_512?: string;
}

/** What the package says about itself, read without trusting it. */
export interface PackageClaims {
  entries: OuterEntry[];
  configText?: string;
  /** package.sign's payload data: the hashes the signer vouched for. */
  signedFiles: { name: string; hash: string; size: number }[];
  keyId?: string;
  /** The leaf of the JWS x5c header, when present. */
  signerCertificate?: X509Certificate;
  /** Why the claims could not be read completely (the package is then certainly unverifiable). */
  problem?: string;
}

const MAX_SMALL_FILE = 1024 * 1024;

async function readBody(body: NodeJS.ReadableStream, keepText: boolean): Promise<{ hash: string; text?: string }> {
  const hash = createHash('sha3-512');
  const chunks: Buffer[] = [];
  let kept = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    if (keepText && kept < MAX_SMALL_FILE) {
      chunks.push(buffer);
      kept += buffer.length;
    }
  }
  return { hash: hash.digest('hex'), ...(keepText ? { text: Buffer.concat(chunks).toString('utf8') } : {}) };
}

/**
 * List the outer archive and decode package.sign WITHOUT verifying anything, so `aos inspect`
 * can show what a package claims even when it does not verify. Never throws for a bad
 * package: the reason is in `problem`.
 */
export async function readPackageClaims(path: string): Promise<PackageClaims> {
  const claims: PackageClaims = { entries: [], signedFiles: [] };
  let token: string | undefined;
  try {
    for await (const entry of readTarEntries(createReadStream(path))) {
      const outer: OuterEntry = { name: entry.name, type: entry.type, size: entry.size };
      if (entry.body) {
        const isSmallText = entry.name === 'package.sign' || entry.name === 'config.yaml';
        const { hash, text } = await readBody(entry.body, isSmallText);
        outer.sha3_512 = hash;
        if (entry.name === 'package.sign') token = text?.trim();
        if (entry.name === 'config.yaml') claims.configText = text;
      }
      claims.entries.push(outer);
    }
  } catch (error) {
    claims.problem = `reading the archive: ${(error as Error).message}`;
  }
  if (token === undefined) {
    claims.problem ??= 'the package has no package.sign';
    return claims;
  }
  try {
    const { header, payload } = decodeJws(token);
    if (typeof header.kid === 'string') claims.keyId = header.kid;
    const x5c = header.x5c;
    if (Array.isArray(x5c) && typeof x5c[0] === 'string') {
      claims.signerCertificate = new X509Certificate(Buffer.from(x5c[0], 'base64'));
    }
    const data = (payload as { data?: unknown } | null)?.data;
    if (Array.isArray(data)) {
      for (const item of data as { name?: unknown; hash?: unknown; size?: unknown }[]) {
        if (typeof item.name === 'string' && typeof item.hash === 'string' && typeof item.size === 'number') {
          claims.signedFiles.push({ name: item.name, hash: item.hash, size: item.size });
        }
      }
    }
  } catch (error) {
    claims.problem ??= `decoding package.sign: ${(error as Error).message}`;
  }
  return claims;
}
