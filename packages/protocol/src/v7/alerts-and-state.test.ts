import { describe, expect, it } from 'vitest';
import { alertSchema } from './alerts.js';
import { computeStateChecksum } from './state-checksum.js';
import { newStateSchema, stateAcceptanceSchema, stateRequestSchema, updateStateSchema } from './state.js';
import { listDefinitionProblems } from './testing/aosedge-schema.js';

describe('alerts and state on the wire', () => {
  it('keeps the OpenAos quota state field, which AosEdge’s schema allows as an extra field', () => {
    const alert = {
      timestamp: '2026-12-05T10:00:00Z',
      tag: 'instanceQuotaAlert',
      item: { id: '2efd1506-564e-40de-9466-66ae7a25fac0' },
      subject: { codename: 'fleet' },
      instance: 0,
      parameter: 'ram',
      value: 50_000_000,
      state: 'raise',
    };
    expect(alertSchema.parse(alert)).toMatchObject({ state: 'raise' });
    expect(listDefinitionProblems('AosAlertInstanceQuotaV7', alert)).toEqual([]);
    const system = {
      timestamp: alert.timestamp,
      tag: 'systemQuotaAlert',
      node: { codename: 'main' },
      parameter: 'cpu',
      value: 1,
      state: 'fall',
    };
    expect(alertSchema.parse(system)).toMatchObject({ state: 'fall' });
    expect(listDefinitionProblems('AosAlertSystemQuotaV7', system)).toEqual([]);
    expect(() => alertSchema.parse({ ...alert, state: 'sideways' })).toThrow();
  });

  it('sends state messages AosEdge’s schema accepts, with a checksum both sides compute alike', () => {
    const state = 'count=1\nnaïve ✓\n';
    const checksum = computeStateChecksum(state);
    expect(checksum).toMatch(/^[0-9a-f]{64}$/);
    // Known SHA-256 vectors: the checksum is over the UTF-8 bytes, hex.
    expect(computeStateChecksum('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(computeStateChecksum('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const ident = { item: { id: '2efd1506-564e-40de-9466-66ae7a25fac0' }, subject: { codename: 'fleet' }, instance: 0 };
    const messages = [
      ['AosNewStateV7', newStateSchema, { messageType: 'newState', ...ident, stateChecksum: checksum, state }],
      ['AosStateRequestV7', stateRequestSchema, { messageType: 'stateRequest', ...ident, default: false }],
      [
        'AosStateAcceptanceV7',
        stateAcceptanceSchema,
        { messageType: 'stateAcceptance', ...ident, checksum, result: 'rejected', reason: 'over the state limit' },
      ],
      ['AosUpdateStateV7', updateStateSchema, { messageType: 'updateState', ...ident, stateChecksum: checksum, state }],
    ] as const;
    for (const [definition, schema, message] of messages) {
      expect(schema.parse(message)).toEqual(message);
      expect(listDefinitionProblems(definition, message), definition).toEqual([]);
    }
  });
});
