import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCredentialsDev } from './commands/credentials-dev.js';
import { runInspect } from './commands/inspect.js';
import { runSign } from './commands/sign.js';
import type { ImageBuildResult } from './commands/image-build.js';
import type { InspectResult } from './commands/inspect.js';
import type { SignResult } from './commands/sign.js';
import type { ValidateResult } from './commands/validate.js';
import { createSandbox, runAos } from './testing/capture-io.js';

/** Set publish.service_uid in the template as a person would, keeping the rest of the file. */
async function fillServiceUid(configPath: string, uid: string): Promise<void> {
  const text = await readFile(configPath, 'utf8');
  const filled = text.replace(/^(\s*)service_uid:.*$/m, `$1service_uid: ${uid}`);
  expect(filled).not.toBe(text);
  await writeFile(configPath, filled);
}

describe('aos: init → credentials dev → validate → sign → inspect → image build', () => {
  let sandbox: Awaited<ReturnType<typeof createSandbox>>;
  let serviceDir: string;
  let packagePath: string;
  const serviceUid = randomUUID();

  beforeAll(async () => {
    sandbox = await createSandbox();
    serviceDir = join(sandbox.root, 'hello');
  });
  afterAll(async () => {
    await sandbox.cleanup();
  });

  it('init writes a commented config and a runnable hello world, and refuses to overwrite', async () => {
    const result = await runAos(['init', serviceDir, '--no-dev-credential'], sandbox.env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('random stand-in');
    expect(result.stdout).toContain('aos sign');
    expect(result.stdout).not.toContain('development credential');
    const config = await readFile(join(serviceDir, 'meta', 'config.yaml'), 'utf8');
    expect(config).toMatch(/^#/m); // commented template
    expect(config).toContain('python3 -u /hello.py');
    const hello = await readFile(join(serviceDir, 'src', 'hello.py'), 'utf8');
    expect(hello).toContain('flush=True');
    // The hello world really runs and prints (flush). It greets forever: read until the first
    // greeting, then stop it (no fixed time budget, which a loaded machine can miss).
    const running = spawn('python3', ['-u', join(serviceDir, 'src', 'hello.py')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let greeting = '';
      for await (const chunk of running.stdout) {
        greeting += String(chunk);
        if (greeting.includes('\n')) break;
      }
      expect(greeting).toContain('hello from OpenAos (1)');
    } finally {
      running.kill();
    }

    const again = await runAos(['init', serviceDir], sandbox.env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    expect(await readFile(join(serviceDir, 'meta', 'config.yaml'), 'utf8')).toBe(config);
  });

  it('validate before service_uid is set names the field with its line, exit 1', async () => {
    await fillServiceUid(join(serviceDir, 'meta', 'config.yaml'), '');
    const result = await runAos(['validate', '-C', serviceDir], sandbox.env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/config\.yaml:\d+:\d+\s+publish\.service_uid/);
    // Without --for-signing the fresh template is valid.
    const schemaOnly = await runAos(['validate', '-C', serviceDir, '--no-for-signing'], sandbox.env);
    expect(schemaOnly.stdout).toContain('Config is valid');
    expect(schemaOnly.code).toBe(0);
  });

  it('credentials dev creates a dev CA and an SP p12 with private modes', async () => {
    const result = await runAos(['credentials', 'dev', '--org', 'Acme Dev', '--json'], sandbox.env);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as {
      pkcs12Path: string;
      caCreated: boolean;
      certificate: { organization?: string; keyId: string };
    };
    expect(document.caCreated).toBe(true);
    expect(document.pkcs12Path).toBe(join(sandbox.aosHome, 'security', 'aos-user-sp.p12'));
    expect(document.certificate.organization).toBe('Acme Dev');
    expect((await stat(join(sandbox.aosHome, 'dev-ca', 'ca.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(document.pkcs12Path)).mode & 0o777).toBe(0o600);
    // The CA's certificate is real PEM that openssl reads.
    const openssl = await execa('openssl', [
      'x509',
      '-noout',
      '-subject',
      '-in',
      join(sandbox.aosHome, 'dev-ca', 'ca.pem'),
    ]);
    expect(openssl.stdout).toContain('OpenAos Dev CA');
    // A second run refuses to replace the credential.
    expect((await runAos(['credentials', 'dev'], sandbox.env)).code).toBe(1);
    const show = await runAos(['credentials', 'show'], sandbox.env);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(document.certificate.keyId);
    expect(show.stdout).toContain('issued by the local dev CA');
  });

  it('validate passes once service_uid is filled in', async () => {
    await fillServiceUid(join(serviceDir, 'meta', 'config.yaml'), serviceUid);
    const result = await runAos(['validate', '--config', join(serviceDir, 'meta', 'config.yaml')], sandbox.env);
    expect(result.stdout).toContain('Config is valid');
    expect(result.code).toBe(0);
    const json = await runAos(['validate', '-C', serviceDir, '--json'], sandbox.env);
    const document = JSON.parse(json.stdout) as ValidateResult;
    expect(document.valid).toBe(true);
    expect(document.config?.publish.service_uid).toBe(serviceUid);
  });

  it('sign builds service.tar.gz with the credential found in AOS_HOME/security', async () => {
    const result = await runAos(['sign', '-C', serviceDir, '--json'], sandbox.env);
    expect(result.stderr).toBe(''); // no progress with --json
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as SignResult;
    packagePath = document.path;
    expect(packagePath).toBe(join(serviceDir, 'service.tar.gz'));
    const bytes = await readFile(packagePath);
    expect(document.size).toBe(bytes.length);
    expect(document.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(document.serviceUid).toBe(serviceUid);
    expect(document.files.map((file) => file.name)).toEqual(['service.tar.gz', 'config.yaml']);
    expect(document.credentialPath).toBe(join(sandbox.aosHome, 'security', 'aos-user-sp.p12'));
    // The outer archive has the aos-signer layout (checked with the system tar).
    const listing = await execa('tar', ['tzf', packagePath]);
    expect(
      listing.stdout
        .split('\n')
        .map((name) => name.replace(/^\.\//, ''))
        .filter(Boolean)
        .sort(),
    ).toEqual(['config.yaml', 'package.sign', 'service.tar.gz']);
  });

  it('sign for people prints the path and hashes, with a progress bar on a terminal', async () => {
    const output = join(sandbox.root, 'out', 'people.tar.gz');
    await mkdir(join(sandbox.root, 'out'));
    const result = await runAos(['sign', '-C', serviceDir, '-o', output], sandbox.env, { isTTY: true });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Signed ');
    expect(result.stdout).toContain('sha256:');
    expect(result.stderr).toMatch(/\rpacking .*\/1 files/);
    expect(result.stderr.endsWith('\r')).toBe(true); // the bar is cleared before the result
    // Not a terminal and quick: nothing on stderr.
    expect((await runAos(['sign', '-C', serviceDir, '-o', output], sandbox.env)).stderr).toBe('');
    // Same inputs and signing time (SOURCE_DATE_EPOCH), same bytes.
    const fixedTime = { ...sandbox.env, sourceDateEpoch: new Date('2026-01-01T00:00:00Z') };
    const again = join(sandbox.root, 'out', 'again.tar.gz');
    expect((await runAos(['sign', '-C', serviceDir, '-o', output], fixedTime)).code).toBe(0);
    expect((await runAos(['sign', '-C', serviceDir, '-o', again], fixedTime)).code).toBe(0);
    expect(await readFile(again)).toEqual(await readFile(output));
  });

  it('inspect verifies against the dev CA: exit 0, contents, signer, kid', async () => {
    const result = await runAos(['inspect', packagePath], sandbox.env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Verification: ok');
    expect(result.stdout).toContain('package.sign');
    expect(result.stdout).toContain('/hello.py');
    const json = await runAos(
      ['inspect', packagePath, '--json', '--ca', join(sandbox.aosHome, 'dev-ca', 'ca.pem')],
      sandbox.env,
    );
    expect(json.code).toBe(0);
    const document = JSON.parse(json.stdout) as InspectResult;
    expect(document.verified).toBe(true);
    expect(document.service?.serviceUid).toBe(serviceUid);
    expect(document.signer?.organization).toBe('Acme Dev');
    expect(document.serviceFiles?.map((file) => file.name)).toContain('hello.py');
    expect(document.signedFiles).toHaveLength(2);
  });

  it('inspect against an unrelated CA fails the trust check with exit 2', async () => {
    const other = await createSandbox();
    try {
      await runCredentialsDev({ aosHome: other.aosHome });
      const result = await runAos(
        ['inspect', packagePath, '--ca', join(other.aosHome, 'dev-ca', 'ca.pem'), '--json'],
        sandbox.env,
      );
      expect(result.code).toBe(2);
      const document = JSON.parse(result.stdout) as InspectResult;
      expect(document.verified).toBe(false);
      expect(document.failure?.check).toBe('trust');
      // Another user's default trust (their dev CA and p12) does not cover our signer.
      expect((await runAos(['inspect', packagePath], other.env)).code).toBe(2);
      // With nothing trusted at all, verification proves nothing: also exit 2.
      const empty = await createSandbox();
      try {
        const none = await runAos(['inspect', packagePath, '--json'], empty.env);
        expect(none.code).toBe(2);
        expect((JSON.parse(none.stdout) as InspectResult).failure?.code).toBe('no-trust');
      } finally {
        await empty.cleanup();
      }
    } finally {
      await other.cleanup();
    }
  });

  it('a tampered package does not verify: inspect and image build exit 2', async () => {
    // Change config.yaml inside the outer archive and re-pack it with the system tar.
    const unpacked = join(sandbox.root, 'tampered');
    await mkdir(unpacked);
    await execa('tar', ['xzf', packagePath, '-C', unpacked]);
    const configPath = join(unpacked, 'config.yaml');
    await writeFile(configPath, `${await readFile(configPath, 'utf8')}\n# changed after signing\n`);
    const tampered = join(sandbox.root, 'tampered.tar.gz');
    await execa('tar', ['czf', tampered, '-C', unpacked, ...(await readdir(unpacked))]);

    const inspect = await runAos(['inspect', tampered, '--json'], sandbox.env);
    expect(inspect.code).toBe(2);
    const document = JSON.parse(inspect.stdout) as InspectResult;
    expect(document.failure?.check).toBe('hashes');
    const human = await runAos(['inspect', tampered], sandbox.env);
    expect(human.stdout).toContain('Verification: FAILED (hashes check)');

    const image = await runAos(['image', 'build', tampered, '-o', join(sandbox.root, 'never')], sandbox.env);
    expect(image.code).toBe(2);
    expect(image.stderr).toMatch(/^aos: building an image from .*verifying the package \(hashes\)/);

    // Flipped bytes in the compressed stream: unreadable, still "could not be verified".
    const corrupt = Buffer.from(await readFile(packagePath));
    for (let index = 100; index < 140 && index < corrupt.length; index += 1)
      corrupt[index] = (corrupt[index] ?? 0) ^ 0xff;
    const corruptPath = join(sandbox.root, 'corrupt.tar.gz');
    await writeFile(corruptPath, corrupt);
    const result = await runInspect({ packagePath: corruptPath, aosHome: sandbox.aosHome });
    expect(result.verified).toBe(false);
    expect((await runAos(['inspect', corruptPath], sandbox.env)).code).toBe(2);
  });

  it('image build writes an OCI layout that umoci unpacks into a runnable bundle', async () => {
    const imageDir = join(sandbox.root, 'image');
    const result = await runAos(['image', 'build', packagePath, '-o', imageDir, '--tag', 'v1', '--json'], sandbox.env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as ImageBuildResult;
    expect(document.manifestDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const index = JSON.parse(await readFile(join(imageDir, 'index.json'), 'utf8')) as {
      manifests: { digest: string }[];
    };
    expect(index.manifests[0]?.digest).toBe(document.manifestDigest);
    expect((await readdir(imageDir)).sort()).toEqual(['blobs', 'index.json', 'manifest.json', 'oci-layout']);
    const manifestBytes = await readFile(
      join(imageDir, 'blobs', 'sha256', document.manifestDigest.slice('sha256:'.length)),
    );
    expect(`sha256:${createHash('sha256').update(manifestBytes).digest('hex')}`).toBe(document.manifestDigest);
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as {
      aosService?: { digest: string };
      layers: { digest: string }[];
    };
    expect(manifest.aosService?.digest).toBe(document.serviceConfigDigest);
    expect(manifest.layers[0]?.digest).toBe(document.layerDigest);

    const bundle = join(sandbox.root, 'bundle');
    await execa('umoci', ['unpack', '--rootless', '--image', `${imageDir}:v1`, bundle]);
    expect(await readFile(join(bundle, 'rootfs', 'hello.py'), 'utf8')).toContain('hello from OpenAos');
    const runtimeConfig = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as {
      process: { args: string[] };
    };
    expect(runtimeConfig.process.args).toEqual(['python3', '-u', '/hello.py']);

    const human = await runAos(['image', 'build', packagePath, '-o', join(sandbox.root, 'image2')], sandbox.env);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(document.manifestDigest); // same package, same image
  });

  it('runSign with -p uses the given credential and reports its subject', async () => {
    const result = await runSign({
      directory: serviceDir,
      aosHome: join(sandbox.root, 'empty-home'),
      pkcs12: join(sandbox.aosHome, 'security', 'aos-user-sp.p12'),
      output: join(sandbox.root, 'out', 'p.tar.gz'),
    });
    expect(result.signer.organization).toBe('Acme Dev');
    // Without -p and with an empty AOS_HOME, the credential is not found: the error names where it looked.
    await expect(runSign({ directory: serviceDir, aosHome: join(sandbox.root, 'empty-home') })).rejects.toThrow(
      /aos-user-sp\.p12.*not found.*meta/,
    );
  });
});
