import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { ServiceConfig } from '@openaos/config';
import { loadCredential, type Credential } from '@openaos/pki';
import { CliError } from './errors.js';

export interface ResolvedCredential {
  credential: Credential;
  /** The file the key came from (.p12, or the PEM key). */
  path: string;
  certificatePath?: string;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}

/**
 * Find a credential file as aos-signer does: an absolute path must exist; a relative one is
 * searched in the config's folder (meta/), then in <AOS_HOME>/security/.
 * Returns the candidates looked at when nothing is found, so the error can name them.
 */
export async function findCredentialFile(
  name: string,
  searchDirs: string[],
): Promise<{ path?: string; tried: string[] }> {
  const candidates = isAbsolute(name) ? [name] : searchDirs.map((dir) => join(dir, name));
  for (const candidate of candidates) {
    if (await isFile(candidate)) return { path: candidate, tried: candidates };
  }
  return { tried: candidates };
}

/**
 * The signing credential for `aos sign`: `--pkcs12` (relative to the working directory) wins,
 * then `build.sign_pkcs12`, then `build.sign_key` + `build.sign_certificate` (PEM).
 */
export async function resolveSigningCredential(options: {
  config: ServiceConfig;
  metaDir: string;
  aosHome: string;
  pkcs12Override?: string;
  password?: string;
}): Promise<ResolvedCredential> {
  const action = 'loading the signing credential';
  const searchDirs = [options.metaDir, join(options.aosHome, 'security')];
  const notFound = (what: string, tried: string[]): CliError =>
    new CliError('not-found', action, `${what} not found (looked at ${tried.join(', ')})`, {
      hint: 'create a development credential with `aos credentials dev`, or pass -p <file.p12>',
    });
  const load = async (path: string, certificatePath?: string): Promise<ResolvedCredential> => {
    try {
      const credential = await loadCredential(path, {
        ...(certificatePath ? { certificatePath } : {}),
        ...(options.password !== undefined ? { password: options.password } : {}),
      });
      return { credential, path, ...(certificatePath ? { certificatePath } : {}) };
    } catch (error) {
      throw new CliError('failed', action, `${path}: ${(error as Error).message}`, {
        cause: error,
        hint: 'the file must be a PKCS#12 with an empty password (as aos-keys writes) or a PEM key with its certificate',
      });
    }
  };

  if (options.pkcs12Override) {
    const path = resolve(options.pkcs12Override);
    if (!(await isFile(path))) throw notFound(`credential ${options.pkcs12Override}`, [path]);
    return load(path);
  }
  const build = options.config.build;
  if (build.sign_pkcs12) {
    const found = await findCredentialFile(build.sign_pkcs12, searchDirs);
    if (!found.path) throw notFound(`build.sign_pkcs12 "${build.sign_pkcs12}"`, found.tried);
    return load(found.path);
  }
  if (build.sign_key && build.sign_certificate) {
    const key = await findCredentialFile(build.sign_key, searchDirs);
    if (!key.path) throw notFound(`build.sign_key "${build.sign_key}"`, key.tried);
    const certificate = await findCredentialFile(build.sign_certificate, searchDirs);
    if (!certificate.path) throw notFound(`build.sign_certificate "${build.sign_certificate}"`, certificate.tried);
    return load(key.path, certificate.path);
  }
  throw new CliError('invalid-config', action, 'no signing credential configured', {
    hint: 'set build.sign_pkcs12 (e.g. aos-user-sp.p12) in meta/config.yaml, or pass -p <file.p12>',
  });
}
