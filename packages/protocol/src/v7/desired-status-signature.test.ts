import { signJws } from '@openaos/pki';
import { describe, expect, it } from 'vitest';
import { canonicalJson, digestCanonicalJson } from './canonical-json.js';
import type { MessageInput } from './catalog.js';
import {
  digestDesiredStatus,
  signDesiredStatus,
  verifyDesiredStatus,
  type VerifyDesiredStatusOptions,
} from './desired-status-signature.js';
import { createEnvelope, encodeEnvelope, parseEnvelope } from './envelope.js';
import { loadPkiFixture } from './testing/pki-fixture.js';

const pki = loadPkiFixture();
const systemId = 'unit-test-1';
const serviceId = '9931560c-be75-4f60-9abf-08297d905332';
const desired: MessageInput<'desiredStatus'> = {
  messageType: 'desiredStatus',
  items: [
    { item: { id: serviceId }, version: '1.2.0', owner: { codename: 'sp' }, indexDigest: `sha256:${'a'.repeat(64)}` },
  ],
  instances: [{ item: { id: serviceId }, subject: { codename: 'default' }, numInstances: 2 }],
};
const trust: VerifyDesiredStatusOptions = { systemId, trustedCa: pki.rootCertificate };

/** Send through the envelope functions and return the data as the unit receives it. */
function receive(data: MessageInput<'desiredStatus'>): Record<string, unknown> {
  const frame = encodeEnvelope(createEnvelope(data, { systemId }));
  const parsed = parseEnvelope(frame, { receiver: 'unit', systemId });
  if (!parsed.ok) throw parsed.error;
  return parsed.rawData;
}

function sign(generation: number, data = desired, credential = pki.signer) {
  return signDesiredStatus(data, { systemId, generation, credential });
}

describe('signDesiredStatus / verifyDesiredStatus', () => {
  it('a desired status signed by the cloud verifies on the unit after the wire', () => {
    const signed = sign(1);
    const result = verifyDesiredStatus(receive(signed), trust);
    if (!result.ok) throw new Error(result.message);
    expect(result.generation).toBe(1);
    expect(result.digest).toBe(digestDesiredStatus(signed));
    expect(result.isAlreadyApplied).toBe(false);
    expect(result.desiredStatus.items[0]?.version).toBe('1.2.0');
    expect(result.desiredStatus.instances[0]).toMatchObject({ numInstances: 2, priority: 0 });
  });

  it('signs what will be sent: defaults are filled in before the digest', () => {
    const signed = sign(1);
    expect(signed.instances[0]?.priority).toBe(0);
    expect(verifyDesiredStatus(signed, trust).ok).toBe(true);
  });

  it('takes the trusted CA as PEM text or a list', () => {
    expect(verifyDesiredStatus(sign(1), { ...trust, trustedCa: pki.root.certificatePem }).ok).toBe(true);
    expect(
      verifyDesiredStatus(sign(1), { ...trust, trustedCa: [pki.foreignSigner.certificate, pki.rootCertificate] }).ok,
    ).toBe(true);
  });

  it.each([
    ['a newer generation', { generation: 3, digest: 'sha256:x' }, 4, true],
    ['the same generation and content', undefined, 4, true],
    ['an older generation', { generation: 5, digest: 'sha256:x' }, 4, 'replayed'],
    ['the same generation with other content', { generation: 4, digest: `sha256:${'0'.repeat(64)}` }, 4, 'conflicting'],
  ] as const)('%s: %s', (_name, lastApplied, generation, expected) => {
    const signed = sign(generation);
    const applied = lastApplied ?? { generation, digest: digestDesiredStatus(signed) };
    const result = verifyDesiredStatus(receive(signed), { ...trust, lastApplied: applied });
    expect(result.ok ? true : result.code).toBe(expected);
    if (result.ok) expect(result.isAlreadyApplied).toBe(lastApplied === undefined);
  });

  it('refuses content changed after signing', () => {
    const signed = sign(2);
    const changed = { ...receive(signed), items: [{ ...signed.items[0], version: '0.9.0' }] };
    const result = verifyDesiredStatus(changed, trust);
    expect(result.ok ? 'ok' : result.code).toBe('bad-signature');
  });

  it('refuses a signature whose bytes were changed', () => {
    const signed = sign(2);
    const token = signed.signature ?? '';
    const tampered = `${token.slice(0, -6)}${token.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'}`;
    const result = verifyDesiredStatus({ ...signed, signature: tampered }, trust);
    expect(result.ok ? 'ok' : result.code).toBe('bad-signature');
  });

  it('refuses a signer of another CA, and a unit certificate of the right CA', () => {
    const foreign = verifyDesiredStatus(sign(2, desired, pki.foreignSigner), trust);
    expect(foreign.ok ? 'ok' : foreign.code).toBe('untrusted-signer');
    const byUnit = verifyDesiredStatus(sign(2, desired, pki.unitCredential), trust);
    expect(byUnit.ok ? 'ok' : byUnit.code).toBe('untrusted-signer');
    expect(byUnit.ok ? '' : byUnit.message).toMatch(/not a desired-status signer/);
  });

  it('refuses a signer whose certificate has expired', () => {
    const result = verifyDesiredStatus(sign(2), { ...trust, now: new Date(Date.now() + 400 * 24 * 3600 * 1000) });
    expect(result.ok ? 'ok' : result.code).toBe('untrusted-signer');
    expect(result.ok ? '' : result.message).toMatch(/expired/);
  });

  it('refuses a desired status signed for another unit', () => {
    const result = verifyDesiredStatus(sign(2), { ...trust, systemId: 'unit-test-2' });
    expect(result.ok ? 'ok' : result.code).toBe('wrong-unit');
  });

  it.each([
    ['no signature', { ...desired }],
    ['a signature that is not a JWS', { ...desired, signature: 'not-a-token' }],
    ['a JWS without x5c', { ...desired, signature: signJws({}, pki.signer, { includeChain: false }) }],
    ['an invalid desired status', { messageType: 'desiredStatus', items: 'none' }],
    ['not an object', 'desiredStatus'],
  ])('refuses %s as malformed', (_name, data) => {
    const result = verifyDesiredStatus(data, trust);
    expect(result.ok ? 'ok' : result.code).toBe('malformed');
  });

  it('refuses a payload that is not a desired-status payload, signed by the right key', () => {
    const token = signJws({ systemId, generation: 0, digest: 'md5:1' }, pki.signer);
    const result = verifyDesiredStatus({ ...desired, signature: token }, trust);
    expect(result.ok ? 'ok' : result.code).toBe('malformed');
  });

  it('covers fields this version does not know: verify the data as received, not the parsed data', () => {
    // A newer cloud adds a field and signs it; this unit's schema drops it when parsing.
    const fromNewerCloud = { ...receive(sign(1)), signature: undefined, plannedFor: '2027-01-01T00:00:00Z' };
    const payload = {
      systemId,
      generation: 1,
      issuedAt: new Date().toISOString(),
      digest: digestDesiredStatus(fromNewerCloud),
    };
    const wire = JSON.parse(JSON.stringify({ ...fromNewerCloud, signature: signJws(payload, pki.signer) })) as object;
    const parsed = parseEnvelope(
      { header: createEnvelope({ messageType: 'ack' }, { systemId }).header, data: wire },
      {
        receiver: 'unit',
      },
    );
    if (!parsed.ok) throw parsed.error;
    expect(verifyDesiredStatus(parsed.rawData, trust).ok).toBe(true);
    const fromParsed = verifyDesiredStatus(parsed.envelope.data, trust);
    expect(fromParsed.ok ? 'ok' : fromParsed.code).toBe('bad-signature');
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members, so key order never changes the digest', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: undefined }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"f":2}]},"b":1}',
    );
    expect(digestCanonicalJson({ x: 1, y: [true] })).toBe(digestCanonicalJson(JSON.parse('{"y":[true],"x":1}')));
  });

  it('gives RFC 8785’s own example output', () => {
    // RFC 8785 §3.2.3 (numbers and string escapes; the input is parsed JSON, as a unit receives it).
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    ) as unknown;
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });
});
