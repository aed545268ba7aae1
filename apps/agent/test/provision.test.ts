import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudRefusal } from '../src/link/open-socket.js';
import { readIdentity } from '../src/link/identity-store.js';
import { provisionUnit } from '../src/link/provision-unit.js';
import { startCloudPeer, type CloudPeer } from './cloud-peer.js';
import { runCli } from './helpers.js';

describe('aos-agent provision', () => {
  let peer: CloudPeer;
  let root: string;

  beforeAll(async () => {
    peer = await startCloudPeer();
    root = await mkdtemp(join(tmpdir(), 'openaos-provision-'));
  });
  afterAll(async () => {
    await peer?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('refuses an unknown token with the cloud reason and exit code 3, storing nothing', async () => {
    const storageDir = join(root, 'refused');
    const result = await runCli([
      'provision',
      '--cloud',
      peer.url,
      '--token',
      'not-a-token',
      '--system-id',
      'unit-refused',
      '--storage-dir',
      storageDir,
    ]);
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toContain('HTTP 401 bad-token');
    expect(result.stdout).toContain('ask the cloud for a new one');
    await expect(stat(`${storageDir}-identity`)).rejects.toThrow(/ENOENT/);
  });

  it('refuses a token made for another unit (403)', async () => {
    const token = peer.issueToken('unit-other');
    const error = await provisionUnit({
      cloudUrl: peer.url,
      token,
      systemId: 'unit-mine',
      identityDir: join(root, 'mine-identity'),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CloudRefusal);
    expect((error as CloudRefusal).status).toBe(403);
    expect((error as CloudRefusal).isPermanent).toBe(true);
  });

  it('provisions: its own key (0600), the chain to the cloud CA, cloud.json; once only', async () => {
    const storageDir = join(root, 'unit');
    const token = peer.issueToken('unit-1');
    const result = await runCli([
      'provision',
      '--cloud',
      peer.url,
      '--token',
      token,
      '--system-id',
      'unit-1',
      '--storage-dir',
      storageDir,
      '--json',
    ]);
    expect(result.exitCode, result.stdout).toBe(0);
    const identityDir = `${storageDir}-identity`;
    expect(JSON.parse(result.stdout)).toMatchObject({ systemId: 'unit-1', cloudUrl: peer.url, identityDir });
    expect((await stat(join(identityDir, 'unit.key.pem'))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(join(identityDir, 'cloud.json'), 'utf8'))).toEqual({
      url: peer.url,
      systemId: 'unit-1',
    });
    const identity = await readIdentity(identityDir);
    expect(identity.trustedCa[0]?.raw.equals(new X509Certificate(peer.ca.certificatePem).raw)).toBe(true);
    expect(identity.credential.certificate.subject).toContain('CN=unit-1');
    // The cloud recorded exactly this certificate, made for the key that stayed on the unit.
    expect(peer.units.get('unit-1')?.fingerprint).toBe(identity.credential.certificate.fingerprint256);

    const again = await runCli([
      'provision',
      '--cloud',
      peer.url,
      '--token',
      peer.issueToken('unit-1'),
      '--system-id',
      'unit-1',
      '--storage-dir',
      storageDir,
    ]);
    expect(again.exitCode).toBe(1);
    expect(again.stdout).toContain('already has an identity');
    expect(again.stdout).toContain('--force');

    const reused = await runCli([
      'provision',
      '--cloud',
      peer.url,
      '--token',
      token,
      '--system-id',
      'unit-1',
      '--storage-dir',
      storageDir,
      '--force',
    ]);
    expect(reused.exitCode).toBe(3);
    expect(reused.stdout).toContain('HTTP 409 token-used');
    // The refused attempt left the identity as it was.
    expect((await readIdentity(identityDir)).credential.certificate.fingerprint256).toBe(
      identity.credential.certificate.fingerprint256,
    );
  });

  it('replaces the identity with --force and a new token: a new key, nothing half old', async () => {
    const identityDir = join(root, 'unit-identity');
    const before = await readIdentity(identityDir);
    const result = await runCli([
      'provision',
      '--cloud',
      peer.url,
      '--token',
      peer.issueToken('unit-1'),
      '--system-id',
      'unit-1',
      '--storage-dir',
      join(root, 'unit'),
      '--force',
    ]);
    expect(result.exitCode, result.stdout).toBe(0);
    const after = await readIdentity(identityDir);
    expect(after.credential.certificate.fingerprint256).not.toBe(before.credential.certificate.fingerprint256);
    expect(peer.units.get('unit-1')?.fingerprint).toBe(after.credential.certificate.fingerprint256);
    expect((await stat(join(identityDir, 'unit.key.pem'))).mode & 0o777).toBe(0o600);
    await expect(stat(`${identityDir}.new`)).rejects.toThrow(/ENOENT/);
    await expect(stat(`${identityDir}.old`)).rejects.toThrow(/ENOENT/);
  });

  it('refuses a chain that does not hold its key', async () => {
    const { checkIssuedChain } = await import('../src/link/provision-unit.js');
    const { createCertificateRequest } = await import('@openaos/pki');
    const identity = await readIdentity(join(root, 'unit-identity'));
    const otherKey = createCertificateRequest({ commonName: 'x' }).privateKeyPem;
    const chain = [identity.credential.certificate, ...identity.credential.chain].map((c) => c.toString()).join('');
    expect(() => checkIssuedChain(chain, otherKey, 'unit-1')).toThrow(/holds the key/);
  });
});
