import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readTarEntries } from '@openaos/archive';
import { parseServiceConfig } from '@openaos/config';
import { aosKeyId, decodeJws, describeSubject, readX5c } from '@openaos/pki';
import { createPackageHash } from './hash-stream.js';
import { PackageError } from './package-error.js';
import { parseSignaturePayload } from './signature-payload.js';
import type { InspectServicePackageOptions, PackageInspection } from './types.js';
import { verifyServicePackage } from './verify-service-package.js';

/** Files read into memory while inspecting (config.yaml, package.sign) are bounded. */
const MAX_TEXT_BYTES = 1024 * 1024;

/**
 * Describe a service package for people (`aos inspect`): its entries with sizes and SHA3-512
 * hashes, what package.sign claims and who signed it, the config, and the outcome of a full
 * verification (with `trust`; without it, only a package carrying its own certificate chain
 * can pass, untrusted). Never throws for a bad package: problems land in `verification`.
 */
export async function inspectServicePackage(
  path: string,
  options: InspectServicePackageOptions = {},
): Promise<PackageInspection> {
  const packagePath = resolve(path);
  const inspection: PackageInspection = {
    path: packagePath,
    size: 0,
    entries: [],
    verification: { ok: true, trusted: options.trust !== undefined },
  };
  try {
    inspection.size = (await stat(packagePath)).size;
    let signature: string | undefined;
    let configText: string | undefined;
    for await (const entry of readTarEntries(
      createReadStream(packagePath),
      options.limits === undefined ? {} : { limits: options.limits },
    )) {
      if (entry.body === undefined) {
        inspection.entries.push({ name: entry.name, size: entry.size });
        continue;
      }
      const hash = createPackageHash();
      const kept: Buffer[] = [];
      for await (const chunk of entry.body) {
        hash.update(chunk as Buffer);
        if (entry.size <= MAX_TEXT_BYTES) kept.push(chunk as Buffer);
      }
      inspection.entries.push({ name: entry.name, size: entry.size, hash: hash.digest('hex') });
      if (entry.name === 'package.sign') {
        inspection.created = entry.mtime.toISOString();
        if (entry.size <= MAX_TEXT_BYTES) signature = Buffer.concat(kept).toString('utf8');
      }
      if (entry.name === 'config.yaml' && entry.size <= MAX_TEXT_BYTES)
        configText = Buffer.concat(kept).toString('utf8');
    }
    if (signature !== undefined) describeSignature(inspection, signature, options);
    if (configText !== undefined) {
      try {
        inspection.config = parseServiceConfig(configText, { file: 'config.yaml' });
      } catch {
        // reported by the verification below
      }
    }
  } catch (error) {
    inspection.verification = describeFailure(error);
    return inspection;
  }

  try {
    const verified = await verifyServicePackage(packagePath, {
      trust: options.trust ?? {},
      requireTrust: options.trust !== undefined,
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.tempDirectory === undefined ? {} : { tempDirectory: options.tempDirectory }),
    });
    await verified.close();
  } catch (error) {
    inspection.verification = describeFailure(error);
  }
  return inspection;
}

/** What package.sign says, without trusting it yet: signed files, and the signer from x5c or the trusted certificates. */
function describeSignature(inspection: PackageInspection, token: string, options: InspectServicePackageOptions): void {
  try {
    const { header, payload } = decodeJws(token);
    inspection.signedFiles = parseSignaturePayload(payload);
    const chain = readX5c(header);
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const certificate =
      chain[0] ?? (options.trust?.certificates ?? []).find((candidate) => aosKeyId(candidate) === kid);
    inspection.signer = {
      hasChain: chain.length > 0,
      ...(kid === undefined ? {} : { keyId: kid }),
      ...(certificate === undefined
        ? {}
        : {
            subject: describeSubject(certificate),
            issuer: certificate.issuer.replaceAll('\n', ', '),
            serialNumber: certificate.serialNumber,
            validFrom: new Date(certificate.validFrom).toISOString(),
            validTo: new Date(certificate.validTo).toISOString(),
          }),
    };
  } catch {
    // an unreadable signature is reported by the verification
  }
}

function describeFailure(error: unknown): PackageInspection['verification'] {
  if (error instanceof PackageError) {
    return {
      ok: false,
      code: error.code,
      message: error.message,
      ...(error.entry === undefined ? {} : { entry: error.entry }),
    };
  }
  const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'unreadable';
  return { ok: false, code, message: error instanceof Error ? error.message : String(error) };
}
