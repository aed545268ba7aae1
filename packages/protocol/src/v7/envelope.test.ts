import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors.js';
import {
  createAck,
  createEnvelope,
  createErrorReply,
  createNack,
  encodeEnvelope,
  parseEnvelope,
  REFUSED_RETRY_AFTER_MS,
} from './envelope.js';

const systemId = 'unit-1';
const header = { version: 7, systemId, createdAt: '2026-12-01T10:00:00Z', txn: 'txn-1' };
const serviceId = '9931560c-be75-4f60-9abf-08297d905332';
const unitStatus = {
  messageType: 'unitStatus',
  items: [{ item: { id: serviceId }, version: '1.0.0', state: 'installed' }],
};

function frame(value: unknown): string {
  return JSON.stringify(value);
}

describe('parseEnvelope', () => {
  it('parses a valid message and keeps the data as received beside the parsed data', () => {
    const data = { ...unitStatus, futureField: { nested: true } };
    const result = parseEnvelope(Buffer.from(frame({ header, data })), { receiver: 'cloud', systemId });
    if (!result.ok) throw result.error;
    expect(result.envelope.header).toEqual(header);
    expect(result.envelope.data).toEqual(unitStatus); // unknown fields dropped from the typed data…
    expect(result.rawData).toEqual(data); // …and kept in rawData
  });

  it('takes text, bytes, ws fragments and decoded values alike', () => {
    const text = frame({ header, data: unitStatus });
    const bytes = Buffer.from(text);
    const inputs = [
      text,
      bytes,
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
      [bytes.subarray(0, 10), bytes.subarray(10)],
      JSON.parse(text) as unknown,
    ];
    for (const input of inputs) expect(parseEnvelope(input, { receiver: 'cloud' }).ok).toBe(true);
  });

  it('accepts a header without version (AosEdge’s schema defaults it to 7)', () => {
    const { version: _version, ...withoutVersion } = header;
    const result = parseEnvelope(frame({ header: withoutVersion, data: unitStatus }), { receiver: 'cloud' });
    expect(result.ok && result.envelope.header.version).toBe(7);
  });

  it.each([
    ['not JSON', '{"header":', 'invalid-json', undefined],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'invalid-json', undefined],
    ['an array', '[]', 'invalid-envelope', undefined],
    ['no data', frame({ header }), 'invalid-envelope', undefined],
    ['protocol v6', frame({ header: { ...header, version: 6 }, data: unitStatus }), 'unsupported-version', 'txn-1'],
    [
      'a header without createdAt',
      frame({ header: { ...header, createdAt: undefined }, data: unitStatus }),
      'invalid-envelope',
      'txn-1',
    ],
    ['another unit', frame({ header: { ...header, systemId: 'unit-2' }, data: unitStatus }), 'wrong-system', 'txn-1'],
    ['an unknown type', frame({ header, data: { messageType: 'error' } }), 'unknown-message-type', 'txn-1'],
    [
      'a type the cloud sends',
      frame({ header, data: { messageType: 'requestLog', logType: 'systemLog', filter: {} } }),
      'wrong-direction',
      'txn-1',
    ],
    [
      'a bad field',
      frame({ header, data: { ...unitStatus, items: [{ ...unitStatus.items[0], state: 'running' }] } }),
      'invalid-message',
      'txn-1',
    ],
    ['a frame over the limit', 'x'.repeat(2_000), 'frame-too-large', undefined],
  ])('refuses %s with a typed error', (_name, input, code, txn) => {
    const result = parseEnvelope(input, { receiver: 'cloud', systemId, maxFrameBytes: 1_000 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(ProtocolError);
    expect(result.error.code).toBe(code);
    expect(result.txn).toBe(txn);
  });

  it('names the bad field, with its path from data', () => {
    const data = { ...unitStatus, items: [{ ...unitStatus.items[0], state: 'running' }] };
    const result = parseEnvelope(frame({ header, data }), { receiver: 'cloud' });
    if (result.ok) throw new Error('accepted a bad state');
    expect(result.error.issues).toEqual([expect.stringMatching(/^data\.items\.0\.state: /)]);
    expect(result.error.message).toContain('parsing unitStatus: data.items.0.state');
    expect(result.messageType).toBe('unitStatus');
  });

  it('never throws, whatever arrives', () => {
    const values: unknown[] = [null, 0, 'x', true, [], {}, { header: null, data: [] }, { header: {}, data: {} }];
    for (let index = 0; index < 300; index += 1) values.push(randomBytes(index % 64));
    for (let index = 0; index < 300; index += 1) values.push(JSON.stringify(randomJson(4)));
    for (const value of values) {
      for (const receiver of ['unit', 'cloud', 'any'] as const) {
        expect(() => parseEnvelope(value, { receiver })).not.toThrow();
      }
    }
  });
});

describe('createEnvelope', () => {
  it('stamps the header and fills in defaults', () => {
    const envelope = createEnvelope(
      { messageType: 'desiredStatus', instances: [{ item: { id: serviceId }, subject: { codename: 's' } }] },
      { systemId, createdAt: new Date('2026-12-01T10:00:00Z') },
    );
    expect(envelope.header).toEqual({
      version: 7,
      systemId,
      createdAt: '2026-12-01T10:00:00.000Z',
      txn: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(envelope.data.items).toEqual([]);
    expect(envelope.data.instances[0]).toMatchObject({ priority: 0, numInstances: 1 });
    const parsed = parseEnvelope(encodeEnvelope(envelope), { receiver: 'unit', systemId });
    expect(parsed.ok && parsed.envelope).toEqual(envelope);
  });

  it('throws ProtocolError naming the field for invalid data, and refuses the wrong direction', () => {
    const bad = () =>
      createEnvelope({ messageType: 'requestBlobUrls', digests: 'sha256:x' as unknown as string[] }, { systemId });
    expect(bad).toThrow(ProtocolError);
    expect(bad).toThrow(/data\.digests/);
    expect(() =>
      createEnvelope({ messageType: 'requestBlobUrls', digests: [] }, { systemId, sender: 'cloud' }),
    ).toThrow(expect.objectContaining({ code: 'wrong-direction' }));
  });
});

describe('acks, nacks and error replies', () => {
  it('repeat the txn of the message they answer', () => {
    expect(createAck('txn-9', { systemId })).toMatchObject({ header: { txn: 'txn-9' }, data: { messageType: 'ack' } });
    expect(createNack('txn-9', { systemId })).toMatchObject({
      header: { txn: 'txn-9' },
      data: { messageType: 'nack', retryAfter: 500 },
    });
  });

  it('an error reply is a nack with the error and a long retryAfter, with a fresh txn when the bad one is unknown', () => {
    const error = new ProtocolError('invalid-json', 'parsing message: not UTF-8 JSON');
    const reply = createErrorReply(error, { systemId });
    expect(reply.data).toEqual({
      messageType: 'nack',
      retryAfter: REFUSED_RETRY_AFTER_MS,
      errorInfo: { code: 'invalid-json', message: 'parsing message: not UTF-8 JSON' },
    });
    expect(reply.header.txn).toMatch(/^[0-9a-f-]{36}$/);
    expect(createErrorReply(error, { systemId, txn: 't' }).header.txn).toBe('t');
  });
});

function randomJson(depth: number): unknown {
  const pick = Math.floor(Math.random() * 7);
  if (depth === 0 || pick < 3) return [null, true, 1.5, 'header', 'data', 7, -1][Math.floor(Math.random() * 7)];
  if (pick < 5) return Array.from({ length: 3 }, () => randomJson(depth - 1));
  const keys = ['header', 'data', 'version', 'messageType', 'txn', 'systemId', 'createdAt', 'items'];
  return Object.fromEntries(keys.filter(() => Math.random() < 0.5).map((key) => [key, randomJson(depth - 1)]));
}
