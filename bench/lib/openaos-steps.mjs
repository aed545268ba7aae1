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
  const issuing = createCertificateAuthority({
    commonName: 'Bench SP Issuing CA',
    organization: 'bench.local',
    issuer: root,
  });
  const sp = issueUserCredential(issuing, { commonName: 'bench', organization: 'bench.local', role: 'sp' });
  return { rootPem: root.certificatePem, p12: sp.pkcs12 };
}

/** process.cpuUsage() difference → milliseconds (every thread of the process: the main one and the thread pool). */
const cpuMilliseconds = ({ user, system }) => (user + system) / 1000;

/** Milliseconds spent in each phase, from the moments a phase is first reported. */
function createPhaseClock(start) {
  const phases = {};
  let current;
  let since = start;
  return {
    enter(phase) {
      if (phase === current) return;
      const now = performance.now();
      if (current !== undefined) phases[current] = (phases[current] ?? 0) + (now - since);
      current = phase;
      since = now;
    },
    finish() {
      this.enter('done');
      return Object.fromEntries(Object.entries(phases).map(([name, ms]) => [name, Math.round(ms)]));
    },
  };
}

/** `aos sign`: load meta/aos-user-sp.p12, build and sign service.tar.gz. Wall and CPU milliseconds and per-phase split. */
export async function timeBuildPackage(serviceDirectory, outputPath) {
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const clock = createPhaseClock(start);
  clock.enter('credential');
  const credential = await loadCredential(`${serviceDirectory}/meta/aos-user-sp.p12`);
  clock.enter('config');
  await buildServicePackage({
    serviceDir: serviceDirectory,
    credential,
    outputPath,
    onProgress: (progress) => clock.enter(progress.phase),
  });
  const phases = clock.finish();
  return { milliseconds: performance.now() - start, cpuMs: cpuMilliseconds(process.cpuUsage(cpuBefore)), phases };
}

/** The cloud's image build: verify the package, then build the OCI image into a fresh store. Wall and CPU milliseconds and split. */
export async function timeBuildImage(packagePath, rootPem, storeDirectory) {
  await rm(storeDirectory, { recursive: true, force: true });
  await mkdir(storeDirectory, { recursive: true });
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const clock = createPhaseClock(start);
  clock.enter('verify');
  const verified = await verifyServicePackage(packagePath, { trust: { roots: [new X509Certificate(rootPem)] } });
  try {
    clock.enter('build-image');
    await buildServiceImage({
      config: verified.config,
      entries: verified.serviceEntries(),
      created: verified.created,
      store: new BlobStore(storeDirectory),
    });
  } finally {
    clock.enter('close');
    await verified.close();
  }
  const phases = clock.finish();
  return { milliseconds: performance.now() - start, cpuMs: cpuMilliseconds(process.cpuUsage(cpuBefore)), phases };
}
