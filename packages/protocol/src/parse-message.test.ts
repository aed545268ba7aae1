import { describe, expect, it } from 'vitest';
import { createErrorReply, createMessage, parseMessage, parseMessageData, ProtocolError } from './index.js';

const digest = 'sha256:' + 'a'.repeat(64);
const desired = {
  header: { version: 6, systemId: 'unit-1' },
  data: {
    messageType: 'desiredStatus',
    services: [{ id: 'svc', version: '1.0.0', manifestDigest: digest, urls: ['http://cloud/blobs'] }],
    instances: [{ serviceId: 'svc', subjectId: 'subj' }],
  },
};

describe('parseMessage', () => {
  it('parses a desiredStatus and applies defaults', () => {
    const result = parseMessage(JSON.stringify(desired), { receiver: 'unit' });
    expect(result.ok).toBe(true);
    if (!result.ok || result.message.data.messageType !== 'desiredStatus') throw new Error('unreachable');
    expect(result.message.data.instances?.[0]).toEqual({
      serviceId: 'svc',
      subjectId: 'subj',
      priority: 0,
      numInstances: 1,
    });
  });

  it.each([
    ['not json', '{', 'invalid-json'],
    ['no header', JSON.stringify({ data: { messageType: 'ack' } }), 'invalid-envelope'],
    ['version 7', JSON.stringify({ ...desired, header: { version: 7, systemId: 'u' } }), 'unsupported-version'],
    ['unknown type', JSON.stringify({ ...desired, data: { messageType: 'bogus' } }), 'unknown-message-type'],
    [
      'bad digest',
      JSON.stringify({
        ...desired,
        data: { ...desired.data, services: [{ id: 's', version: '1', manifestDigest: 'md5:x' }] },
      }),
      'invalid-message',
    ],
  ])('returns a typed error for %s', (_name, frame, code) => {
    const result = parseMessage(frame);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(ProtocolError);
    expect(result.error.code).toBe(code);
  });

  it('refuses a unit→cloud message arriving at the unit', () => {
    const frame = createMessage('unit-1', { messageType: 'unitStatus', services: [], instances: [] });
    const result = parseMessage(frame, { receiver: 'unit' });
    expect(result.ok ? 'ok' : result.error.code).toBe('wrong-direction');
    expect(parseMessage(frame, { receiver: 'cloud' }).ok).toBe(true);
  });

  it('names the bad field in the issues', () => {
    const frame = {
      ...desired,
      data: { ...desired.data, instances: [{ serviceId: 'svc', subjectId: 'subj', numInstances: 0 }] },
    };
    const result = parseMessage(frame);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues[0]).toMatch(/^instances\.0\.numInstances:/);
  });
});

describe('createMessage', () => {
  it('round-trips a unitStatus with instance errors', () => {
    const message = createMessage('unit-1', {
      messageType: 'unitStatus',
      services: [{ id: 'svc', version: '1.0.0', status: 'installed' }],
      instances: [
        {
          serviceId: 'svc',
          subjectId: 's',
          instance: 0,
          version: '1.0.0',
          status: 'failed',
          errorInfo: { exitCode: 137, message: 'OOM killed' },
        },
      ],
    });
    const parsed = parseMessage(JSON.stringify(message), { receiver: 'cloud' });
    expect(parsed.ok && parsed.message.data).toEqual(message.data);
  });

  it('throws ProtocolError for invalid data and builds error replies', () => {
    expect(() => parseMessageData('alerts', { messageType: 'alerts', items: [{ tag: 'nope' }] })).toThrow(
      ProtocolError,
    );
    const failure = parseMessage('{');
    if (failure.ok) throw new Error('unreachable');
    const reply = createErrorReply('unit-1', failure.error);
    expect(reply.data).toMatchObject({ messageType: 'error', code: 'invalid-json' });
  });
});
