import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCertificateAuthority, issueUserCredential } from '@openaos/pki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceConfig } from '@openaos/config';
import { resolveSigningCredential } from './signing-credential.js';
import { createSandbox } from './testing/capture-io.js';

function configWith(build: Partial<ServiceConfig['build']>): ServiceConfig {
  return {
    build: { symlinks: 'copy', source_folder: 'src', package_folder: '.', ...build },
    publish: {},
    configuration: { isResourceLimits: true, balancingPolicy: 'enabled' },
  };
}

describe('resolveSigningCredential (aos-signer lookup)', () => {
  let sandbox: Awaited<ReturnType<typeof createSandbox>>;
  let metaDir: string;
  const ca = createCertificateAuthority({ commonName: 'Test CA', organization: 'Test' });
  const inMeta = issueUserCredential(ca, { commonName: 'in meta', organization: 'Test', role: 'sp' });
  const inSecurity = issueUserCredential(ca, { commonName: 'in security', organization: 'Test', role: 'sp' });

  beforeAll(async () => {
    sandbox = await createSandbox();
    metaDir = join(sandbox.root, 'svc', 'meta');
    await mkdir(metaDir, { recursive: true });
    await mkdir(join(sandbox.aosHome, 'security'), { recursive: true });
    await writeFile(join(metaDir, 'aos-user-sp.p12'), inMeta.pkcs12);
    await writeFile(join(sandbox.aosHome, 'security', 'aos-user-sp.p12'), inSecurity.pkcs12);
    await writeFile(join(sandbox.aosHome, 'security', 'only-here.p12'), inSecurity.pkcs12);
    await writeFile(join(metaDir, 'key.pem'), inMeta.privateKeyPem);
    await writeFile(join(metaDir, 'cert.pem'), inMeta.certificatePem);
  });
  afterAll(async () => {
    await sandbox.cleanup();
  });

  const subjectOf = async (config: ServiceConfig, override?: string) =>
    (
      await resolveSigningCredential({
        config,
        metaDir,
        aosHome: sandbox.aosHome,
        ...(override ? { pkcs12Override: override } : {}),
      })
    ).credential.certificate.subject;

  it('looks in meta/ first, then in AOS_HOME/security', async () => {
    expect(await subjectOf(configWith({ sign_pkcs12: 'aos-user-sp.p12' }))).toContain('CN=in meta');
    expect(await subjectOf(configWith({ sign_pkcs12: 'only-here.p12' }))).toContain('CN=in security');
  });

  it('takes an absolute path as it is, and -p over the config', async () => {
    const absolute = join(sandbox.aosHome, 'security', 'aos-user-sp.p12');
    expect(await subjectOf(configWith({ sign_pkcs12: absolute }))).toContain('CN=in security');
    expect(await subjectOf(configWith({ sign_pkcs12: 'aos-user-sp.p12' }), absolute)).toContain('CN=in security');
  });

  it('reads the legacy PEM pair sign_key + sign_certificate', async () => {
    expect(await subjectOf(configWith({ sign_key: 'key.pem', sign_certificate: 'cert.pem' }))).toContain('CN=in meta');
  });

  it('names every place it looked when the file is missing', async () => {
    await expect(subjectOf(configWith({ sign_pkcs12: 'missing.p12' }))).rejects.toThrow(
      new RegExp(`${join(metaDir, 'missing.p12')}.*${join(sandbox.aosHome, 'security', 'missing.p12')}`),
    );
    await expect(subjectOf(configWith({}))).rejects.toMatchObject({ code: 'invalid-config' });
  });
});
