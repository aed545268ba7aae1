import { PackageError } from './package-error.js';
import type { SignedFile } from './types.js';

/** The files package.sign covers, in aos-signer's order: the inner archive, then the config. */
export const SIGNED_FILE_NAMES = ['service.tar.gz', 'config.yaml'] as const;

export function createSignaturePayload(files: SignedFile[]): { data: SignedFile[] } {
  return { data: files.map(({ name, hash, size }) => ({ name, hash, size })) };
}

/** Check the payload's shape: {"data":[{name,hash,size}, …]} naming exactly the signed files. */
export function parseSignaturePayload(payload: unknown): SignedFile[] {
  const data = (payload as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) {
    throw new PackageError(
      'bad-signature',
      'reading package.sign: the payload has no "data" list of signed files; the package was not made by aos-signer or OpenAos',
    );
  }
  const files = data.map((item: unknown, index) => {
    const { name, hash, size } = (item ?? {}) as Record<string, unknown>;
    if (
      typeof name !== 'string' ||
      typeof hash !== 'string' ||
      !/^[0-9a-fA-F]{128}$/.test(hash) ||
      typeof size !== 'number' ||
      !Number.isSafeInteger(size) ||
      size < 0
    ) {
      throw new PackageError(
        'bad-signature',
        `reading package.sign: data[${index}] is not {name, hash (SHA3-512 hex), size}`,
      );
    }
    return { name, hash: hash.toLowerCase(), size };
  });
  const names = files.map((file) => file.name).sort();
  if (names.length !== SIGNED_FILE_NAMES.length || names.join('\n') !== [...SIGNED_FILE_NAMES].sort().join('\n')) {
    throw new PackageError(
      'bad-signature',
      `reading package.sign: it signs ${JSON.stringify(names)}, expected exactly service.tar.gz and config.yaml`,
    );
  }
  return files;
}
