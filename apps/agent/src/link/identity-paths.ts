/**
 * Where the unit's identity lives (identity-store.ts reads and writes it). Kept apart so that the
 * daemon can tell whether the unit is provisioned without loading the PKI code.
 */
import { access } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

export interface IdentityFiles {
  directory: string;
  key: string;
  certificate: string;
  ca: string;
  cloud: string;
}

/** The default identity directory of a storage dir: `<storage-dir>-identity`, outside the storage mount. */
export function defaultIdentityDirectory(storageDir: string): string {
  const absolute = resolve(storageDir);
  return join(dirname(absolute), `${basename(absolute)}-identity`);
}

export function identityFiles(directory: string): IdentityFiles {
  return {
    directory,
    key: join(directory, 'unit.key.pem'),
    certificate: join(directory, 'unit.crt.pem'),
    ca: join(directory, 'ca.crt.pem'),
    cloud: join(directory, 'cloud.json'),
  };
}

/** Whether an identity exists (it is put in place whole: identity-store.ts writeIdentity). */
export async function hasIdentity(directory: string): Promise<boolean> {
  return access(identityFiles(directory).cloud).then(
    () => true,
    () => false,
  );
}
