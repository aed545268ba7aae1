// The examples/ folders must stay signable: valid for `aos sign`, packed and signed by
// buildServicePackage, verified, and turned into an image, like the cloud does on upload.
// (Here rather than in examples/, which is not a package and has no dependencies.)
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadServiceConfig } from '@openaos/config';
import { BlobStore, buildServiceImage } from '@openaos/image';
import { createCertificateAuthority, issueUserCredential, readPkcs12 } from '@openaos/pki';
import { buildServicePackage, verifyServicePackage } from '@openaos/service-package';

const examplesDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples');
const EXAMPLES = ['hello-world', 'client-server/server', 'client-server/client', 'sqlite'];

describe('examples', () => {
  const root = createCertificateAuthority({ commonName: 'Examples Root CA', organization: 'examples.local' });
  const sp = issueUserCredential(root, { commonName: 'examples', organization: 'examples.local', role: 'sp' });

  test.each(EXAMPLES)('%s is valid for signing, with quotas a runc instance can live with', async (example) => {
    const config = await loadServiceConfig(join(examplesDirectory, example, 'meta', 'config.yaml'), {
      forSigning: true,
    });
    expect(config.build.sign_pkcs12).toBe('aos-user-sp.p12');
    expect(config.configuration.quotas?.mem).toBeGreaterThanOrEqual(6_000_000);
  });

  test.each(EXAMPLES)('%s signs, verifies and builds into an image', async (example) => {
    const workDirectory = mkdtempSync(join(tmpdir(), 'openaos-example-'));
    const serviceDirectory = join(workDirectory, 'service');
    cpSync(join(examplesDirectory, example), serviceDirectory, { recursive: true });
    writeFileSync(join(serviceDirectory, 'meta', 'aos-user-sp.p12'), sp.pkcs12);
    const built = await buildServicePackage({
      serviceDir: serviceDirectory,
      credential: readPkcs12(sp.pkcs12),
      outputPath: join(workDirectory, 'service.tar.gz'),
    });
    const verified = await verifyServicePackage(built.path, {
      trust: { roots: [new X509Certificate(root.certificatePem)] },
    });
    try {
      const image = await buildServiceImage({
        config: verified.config,
        entries: verified.serviceEntries(),
        created: verified.created,
        store: new BlobStore(join(workDirectory, 'store')),
      });
      expect(image.imageConfig.config.Cmd?.join(' ') ?? image.imageConfig.config.Entrypoint?.join(' ')).toContain(
        'python3',
      );
    } finally {
      await verified.close();
    }
  });

  test('hello-world prints its greeting and AOS_* variables', async () => {
    // It greets forever: read until the first greeting, then stop it (no fixed time budget).
    const child = spawn(
      'python3',
      ['-u', join(examplesDirectory, 'hello-world', 'src', 'usr', 'bin', 'services', 'hello_world.py')],
      {
        env: { PATH: process.env.PATH, HELLO_INTERVAL: '0.1', AOS_SERVICE_ID: 'service-1' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      let output = '';
      for await (const chunk of child.stdout) {
        output += String(chunk);
        if (output.includes('\n')) break;
      }
      expect(output).toMatch(/Hello from OpenAos #1 \{'AOS_SERVICE_ID': 'service-1'\}/);
    } finally {
      child.kill();
    }
  });
});
