import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { createEnvelope, parseEnvelope } from './envelope.js';
import { listAosEdgeProblems } from './testing/aosedge-schema.js';

const schemaPath = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../schemas/openaos/openaos-log-follow.schema.json',
);
const ajv = new Ajv2020({ allErrors: true, strictTypes: false });
(addFormatsModule as unknown as (target: Ajv2020) => Ajv2020)(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
const systemId = 'unit-logs-1';
const item = { id: '5b2c3a8e-1f0d-4c6b-9a7e-2d3f4b5c6d7e' };
const subject = { id: '0f1e2d3c-4b5a-4968-8776-655443322110' };

const samples = [
  createEnvelope(
    {
      messageType: 'openaos.followLog',
      correlationId: 'f-1',
      item,
      subject,
      instance: 0,
      from: '1-2:30',
      tailLines: 10,
    },
    { systemId, sender: 'cloud' },
  ),
  createEnvelope(
    { messageType: 'openaos.followLog', correlationId: 'f-2', item, subject, instance: 3 },
    { systemId, sender: 'cloud' },
  ),
  createEnvelope({ messageType: 'openaos.stopFollowLog', correlationId: 'f-1' }, { systemId, sender: 'cloud' }),
  createEnvelope(
    {
      messageType: 'openaos.logLines',
      correlationId: 'f-1',
      from: '1-2:30',
      next: '1-2:42',
      lines: ['line 1', 'line 2'],
      readAt: '2026-12-05T01:00:00.000Z',
      skippedFrom: '0-1:0',
    },
    { systemId, sender: 'unit' },
  ),
  createEnvelope(
    {
      messageType: 'openaos.logLines',
      correlationId: 'f-1',
      from: '1-2:42',
      next: '1-2:42',
      lines: [],
      readAt: '2026-12-05T01:00:00.000Z',
      status: 'ended',
      errorInfo: { message: 'the instance was removed' },
    },
    { systemId, sender: 'unit' },
  ),
];

describe('the OpenAos log-follow extension', () => {
  it.each(samples.map((envelope) => [envelope.data.messageType, envelope] as const))(
    '%s validates against its own JSON schema and parses back unchanged',
    (messageType, envelope) => {
      const wire = JSON.parse(JSON.stringify(envelope)) as unknown;
      expect(validate(wire), JSON.stringify(validate.errors)).toBe(true);
      const receiver = messageType === 'openaos.logLines' ? 'cloud' : 'unit';
      const parsed = parseEnvelope(JSON.stringify(wire), { receiver });
      expect(parsed.ok ? parsed.envelope : parsed.error.message).toEqual(wire);
    },
  );

  it('is not AosEdge’s: its schema refuses these message types', () => {
    for (const envelope of samples) expect(listAosEdgeProblems(JSON.parse(JSON.stringify(envelope)))).not.toEqual([]);
  });

  it('refuses what its JSON schema refuses, naming the field', () => {
    const cases: { data: Record<string, unknown>; receiver: 'unit' | 'cloud'; field: string }[] = [
      {
        data: { messageType: 'openaos.followLog', correlationId: 'x', item, subject, instance: -1 },
        receiver: 'unit',
        field: 'instance',
      },
      {
        data: { messageType: 'openaos.followLog', item, subject, instance: 0 },
        receiver: 'unit',
        field: 'correlationId',
      },
      {
        data: { messageType: 'openaos.followLog', correlationId: 'x', item, subject, instance: 0, from: '' },
        receiver: 'unit',
        field: 'from',
      },
      {
        data: {
          messageType: 'openaos.logLines',
          correlationId: 'x',
          from: 'a',
          next: 'b',
          lines: [1],
          readAt: '2026-12-05T01:00:00Z',
        },
        receiver: 'cloud',
        field: 'lines',
      },
      {
        data: {
          messageType: 'openaos.logLines',
          correlationId: 'x',
          from: 'a',
          lines: [],
          readAt: '2026-12-05T01:00:00Z',
        },
        receiver: 'cloud',
        field: 'next',
      },
    ];
    for (const { data, receiver, field } of cases) {
      const envelope = { header: { version: 7, systemId, createdAt: '2026-12-05T01:00:00Z', txn: 't' }, data };
      expect(validate(envelope)).toBe(false);
      const parsed = parseEnvelope(envelope, { receiver });
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error.message).toContain(field);
    }
  });

  it('goes one way only: a unit does not receive logLines, the cloud not followLog', () => {
    const lines = JSON.parse(JSON.stringify(samples[3])) as unknown;
    const parsedByUnit = parseEnvelope(lines, { receiver: 'unit' });
    expect(parsedByUnit.ok ? 'ok' : parsedByUnit.error.code).toBe('wrong-direction');
    const follow = JSON.parse(JSON.stringify(samples[0])) as unknown;
    const parsedByCloud = parseEnvelope(follow, { receiver: 'cloud' });
    expect(parsedByCloud.ok ? 'ok' : parsedByCloud.error.code).toBe('wrong-direction');
  });
});
