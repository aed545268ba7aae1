import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueUserCredential, readPkcs12 } from '@openaos/pki';
import { buildServicePackage, verifyServicePackage } from '@openaos/service-package';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from './blob-store.js';
import { buildServiceImage } from './build-image.js';
import { extractLayer } from './extract-layer.js';
import { readServiceImage } from './read-image.js';
import { run, SAMPLE_CONFIG_YAML } from './testing/fixtures.js';
import { writeImageLayout } from './write-layout.js';

// The cloud's path end to end with the real packages: aos sign → verify → build image → umoci.
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'openaos-package-to-image-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function createServiceFolder(directory: string): Promise<void> {
  await mkdir(join(directory, 'meta'), { recursive: true });
  await writeFile(join(directory, 'meta', 'config.yaml'), SAMPLE_CONFIG_YAML);
  await mkdir(join(directory, 'src', 'usr', 'bin', 'services'), { recursive: true });
  await mkdir(join(directory, 'src', 'etc'), { recursive: true });
  await writeFile(join(directory, 'src', 'usr', 'bin', 'services', 'hello_world.py'), 'print("hello world")\n');
  await chmod(join(directory, 'src', 'usr', 'bin', 'services', 'hello_world.py'), 0o755);
  await writeFile(join(directory, 'src', 'etc', 'hello.cfg'), 'greeting = hello\n');
  await symlink('hello_world.py', join(directory, 'src', 'usr', 'bin', 'services', 'hello'));
}

describe('service package → image', () => {
  it('builds an image from a verified package that umoci unpacks, the same twice', async () => {
    const ca = createCertificateAuthority({ commonName: 'Image Test Root CA', organization: 'OpenAos Test' });
    const issued = issueUserCredential(ca, { commonName: 'Image Test SP', organization: 'example.test', role: 'sp' });
    const serviceDir = join(root, 'service');
    await createServiceFolder(serviceDir);
    const packaged = await buildServicePackage({
      serviceDir,
      credential: readPkcs12(issued.pkcs12, ''),
      outputPath: join(root, 'service.tar.gz'),
    });

    const digests: string[] = [];
    for (const attempt of [1, 2]) {
      const verified = await verifyServicePackage(packaged.path, {
        trust: { roots: [new X509Certificate(ca.certificatePem)] },
      });
      try {
        const store = new BlobStore(join(root, `store-${attempt}`));
        const built = await buildServiceImage({
          config: verified.config,
          entries: verified.serviceEntries(),
          created: verified.created,
          store,
        });
        digests.push(built.manifestDigest);
        const image = await readServiceImage(store, built.manifestDigest);
        expect(image.serviceConfig.created).toBe(verified.created);
        expect(image.imageConfig.config.Cmd).toEqual([
          'python3',
          '/usr/bin/services/hello_world.py',
          '--greeting',
          'hello world',
        ]);

        if (attempt === 1) {
          const rootfs = join(root, 'rootfs');
          await extractLayer(store, image.manifest.layers[0]!, rootfs);
          expect(await readFile(join(rootfs, 'etc', 'hello.cfg'), 'utf8')).toBe('greeting = hello\n');

          const layout = join(root, 'layout');
          await writeImageLayout(store, built.manifestDigest, layout);
          const bundle = join(root, 'bundle');
          await run('umoci', ['unpack', '--rootless', '--image', `${layout}:latest`, bundle]);
          expect(await readFile(join(bundle, 'rootfs', 'usr', 'bin', 'services', 'hello_world.py'), 'utf8')).toBe(
            'print("hello world")\n',
          );
          const spec = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as {
            process: { args: string[]; cwd: string; env: string[] };
          };
          expect(spec.process.args).toEqual([
            'python3',
            '/usr/bin/services/hello_world.py',
            '--greeting',
            'hello world',
          ]);
          expect(spec.process.cwd).toBe('/usr/bin/services');
          expect(spec.process.env).toEqual(expect.arrayContaining(['GREETING=hello']));
        }
      } finally {
        await verified.close();
      }
    }
    expect(digests[1]).toBe(digests[0]);
  });
});
