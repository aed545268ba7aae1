// The OpenAos steps under test, through the built packages (run `pnpm build` first).
import { X509Certificate } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { createCertificateAuthority, issueUserCredential, loadCredential } from '@openaos/pki';
import { buildServicePackage, verifyServicePackage } from '@openaos/service-package';
import { BlobStore, buildServiceImage } from '@openaos/image';

/** A root CA, an SP issuing CA and an SP credential, as the cloud would issue them. */
export function createBenchCredentials() {
  const root = createCertificateAuthority({ commonName: 'Bench Root CA', organization: 'bench.local' });
  const issuing = createCertificateAuthority({ commonName: 'Bench SP Issuing CA', organization: 'bench.local', issuer: root });
  const sp = issueUserCredential(issuing, { commonName: 'bench', organization: 'bench.local', role: 'sp' });
  return { rootPem: root.certificatePem, p12: sp.pkcs12 };
}

/** `aos sign`: load meta/aos-user-sp.p12, build and sign service.tar.gz. Milliseconds. */
export async function timeBuildPackage(serviceDirectory, outputPath) {
  const start = performance.now();
  const credential = await loadCredential(`${serviceDirectory}/meta/aos-user-sp.p12`);
  await buildServicePackage({ serviceDir: serviceDirectory, credential, outputPath });
  return performance.now() - start;
}

/** The cloud's image build: verify the package, then build the OCI image into a fresh store. Milliseconds. */
export async function timeBuildImage(packagePath, rootPem, storeDirectory) {
  await rm(storeDirectory, { recursive: true, force: true });
  await mkdir(storeDirectory, { recursive: true });
  const start = performance.now();
  const verified = await verifyServicePackage(packagePath, { trust: { roots: [new X509Certificate(rootPem)] } });
  try {
    await buildServiceImage({ config: verified.config, entries: verified.serviceEntries(), created: verified.created, store: new BlobStore(storeDirectory) });
  } finally {
    await verified.close();
  }
  return performance.now() - start;
}
