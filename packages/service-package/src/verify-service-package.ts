import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseServiceConfig, type ServiceConfig } from '@openaos/config';
import { findSigner } from './find-signer.js';
import { readDefaultState, readInnerHead, readServiceEntries } from './inner-archive.js';
import { PackageError } from './package-error.js';
import { readOuterArchive } from './read-outer-archive.js';
import { parseSignaturePayload } from './signature-payload.js';
import { toPackageError } from './to-package-error.js';
import type { SignedFile, VerifiedPackage, VerifyServicePackageOptions } from './types.js';

/**
 * Verify a service package and open it for reading: layout (exactly config.yaml, package.sign,
 * service.tar.gz), the outer archive safe and within limits, the signature and its signer
 * (x5c chain to trust.roots, or an aos-signer kid among trust.certificates), hashes and sizes
 * against package.sign, the config valid, and the head of the inner archive (its config.yaml
 * equal to the outer one, default_state.dat).
 *
 * The inner archive is kept in a temp folder until close(). serviceEntries() streams its
 * service/ tree, checking every entry (paths, links, special files, limits) as it goes — the
 * tree is only inflated once, by whoever consumes it; an unsafe entry fails that stream.
 * Errors are PackageErrors; the ones of @openaos/config, pki and archive are their causes.
 */
export async function verifyServicePackage(
  path: string,
  options: VerifyServicePackageOptions,
): Promise<VerifiedPackage> {
  const packagePath = resolve(path);
  await stat(packagePath).catch((error: unknown) => {
    throw new PackageError('not-found', `verifying ${packagePath}: cannot read it (${(error as Error).message})`, {
      cause: error,
    });
  });
  const tempDir = await mkdtemp(join(options.tempDirectory ?? tmpdir(), 'aos-package-'));
  const close = (): Promise<void> => rm(tempDir, { recursive: true, force: true });
  try {
    const outer = await readOuterArchive(packagePath, tempDir, options.limits);
    const { signer, payload } = findSigner(outer.signature, options.trust, options.requireTrust ?? true);
    const files = parseSignaturePayload(payload);
    checkFile(files, 'service.tar.gz', outer.innerHash, outer.innerSize);
    checkFile(files, 'config.yaml', outer.configHash, outer.configBytes.length);

    const configText = outer.configBytes.toString('utf8');
    let config: ServiceConfig;
    try {
      config = parseServiceConfig(configText, { file: 'config.yaml' });
    } catch (error) {
      throw toPackageError(error, `verifying ${packagePath}`);
    }
    const innerOptions = {
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.absoluteSymlinks === undefined ? {} : { absoluteSymlinks: options.absoluteSymlinks }),
    };
    const inner = await readInnerHead(outer.innerPath, outer.configBytes, innerOptions);
    return {
      configText,
      config,
      signer,
      files,
      created: outer.signedAt.toISOString(),
      hasDefaultState: inner.hasDefaultState,
      serviceEntries: () => readServiceEntries(outer.innerPath, outer.configBytes, innerOptions),
      readDefaultState: () => readDefaultState(outer.innerPath, innerOptions),
      close,
    };
  } catch (error) {
    await close();
    if (error instanceof PackageError) throw error;
    throw toPackageError(error, `verifying ${packagePath}`);
  }
}

function checkFile(files: SignedFile[], name: string, hash: string, size: number): void {
  const signed = files.find((file) => file.name === name);
  if (signed === undefined || signed.hash !== hash || signed.size !== size) {
    throw new PackageError(
      'hash-mismatch',
      `verifying the package: ${name} does not match package.sign (${signed?.size ?? '?'} bytes signed, ${size} found${signed !== undefined && signed.hash !== hash ? ', different SHA3-512' : ''}); ` +
        'the package was altered or damaged after signing — download or sign it again',
      { entry: name },
    );
  }
}
