import { X509Certificate } from 'node:crypto';
import {
  createCertificateAuthority,
  issueDesiredStatusSigner,
  issueUnitCertificate,
  readPemCredential,
  type IssuedCredential,
} from '@openaos/pki';
import { signDesiredStatus, type MessageInput } from '@openaos/protocol/v7';
import { describe, expect, it } from 'vitest';
import { judgeDesiredStatus } from './judge-desired-status.js';

const SYSTEM_ID = 'unit-judge';
const credential = (issued: IssuedCredential) =>
  readPemCredential(issued.privateKeyPem, [issued.certificatePem, ...issued.chainPem].join(''));
const ca = createCertificateAuthority({ commonName: 'Judge CA', organization: 'judge.test' });
const trustedCa = [new X509Certificate(ca.certificatePem)];
const signer = credential(issueDesiredStatusSigner(ca));
const unitCertificate = credential(issueUnitCertificate(ca, { systemId: SYSTEM_ID }));
const foreignSigner = credential(issueDesiredStatusSigner(createCertificateAuthority({ commonName: 'Other CA' })));

const SERVICE = '6c5c1a04-1b1e-4a07-a2d5-0fe0b4b09d3f';
const OWNER = 'c0ffee00-1234-4abc-9def-0123456789ab';
const data = (version: string): MessageInput<'desiredStatus'> => ({
  messageType: 'desiredStatus',
  items: [{ item: { id: SERVICE }, version, owner: { id: OWNER }, indexDigest: `sha256:${'1'.repeat(64)}` }],
});
const sign = (version: string, generation: number, options: { by?: typeof signer; systemId?: string } = {}) =>
  signDesiredStatus(data(version), {
    systemId: options.systemId ?? SYSTEM_ID,
    generation,
    credential: options.by ?? signer,
  });
const judge = (raw: unknown, lastApplied?: { generation: number; digest: string }) =>
  judgeDesiredStatus(raw, { systemId: SYSTEM_ID, trustedCa, ...(lastApplied ? { lastApplied } : {}) });

describe('judgeDesiredStatus: the generation rules and who may sign', () => {
  const first = sign('1.0.0', 3);
  const applied = judge(first);
  if (applied.kind !== 'apply') throw new Error('the first status must apply');
  const last = applied.applied;

  it('applies a first status and a newer generation', () => {
    expect(applied.applied.generation).toBe(3);
    expect(judge(sign('1.1.0', 4), last).kind).toBe('apply');
    expect(judge(sign('1.1.0', 9), last).kind).toBe('apply');
  });

  it('ignores the very status applied last (same generation, same digest)', () => {
    expect(judge(first, last)).toEqual({ kind: 'resent', applied: last });
  });

  it.each([
    ['an older generation', () => sign('2.0.0', 2), 'replayed'],
    ['the same generation with other content', () => sign('2.0.0', 3), 'conflicting'],
    ['an unsigned status', () => ({ ...data('2.0.0'), signature: undefined }), 'malformed'],
    ['another unit', () => sign('2.0.0', 5, { systemId: 'someone-else' }), 'wrong-unit'],
    ['a signer of another CA', () => sign('2.0.0', 5, { by: foreignSigner }), 'untrusted-signer'],
    [
      'a trusted certificate that is not a desired-status signer',
      () => sign('2.0.0', 5, { by: unitCertificate }),
      'untrusted-signer',
    ],
    [
      'altered content',
      () => {
        const signed = sign('2.0.0', 5);
        return { ...signed, items: [{ ...signed.items[0]!, version: '6.6.6' }] };
      },
      'bad-signature',
    ],
  ])('refuses %s', (_name, make, code) => {
    expect(judge(make(), last)).toMatchObject({ kind: 'refuse', code });
  });
});
