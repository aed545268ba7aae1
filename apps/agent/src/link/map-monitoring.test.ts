import { alertSchema, monitoringDataSchema } from '@openaos/protocol/v7';
import { describe, expect, it } from 'vitest';
import { mapMonitoring, mapQuotaAlert } from './map-monitoring.js';

const A = '6c5c1a04-1b1e-4a07-a2d5-0fe0b4b09d3f';
const at = '2026-12-04T22:00:00.000Z';
const sample = {
  timestamp: at,
  ram: 1234.6,
  cpu: 7.4,
  download: 0,
  upload: 0,
  partitions: [{ name: 'storage', usedSize: 99.5 }],
};

describe('mapMonitoring and mapQuotaAlert', () => {
  it('maps samples per node and per instance, rounded, valid v7', () => {
    const message = mapMonitoring(
      {
        messageType: 'monitoringData',
        nodes: [{ nodeId: 'main', items: [sample] }],
        serviceInstances: [{ serviceId: A, subjectId: 'local', instance: 0, items: [sample] }],
      },
      'main',
    );
    expect(monitoringDataSchema.safeParse(message).success).toBe(true);
    expect(message?.nodes[0]).toEqual({
      node: { codename: 'main' },
      items: [
        { timestamp: at, ram: 1235, cpu: 7, download: 0, upload: 0, partitions: [{ name: 'storage', usedSize: 100 }] },
      ],
    });
    expect(message?.instances?.[0]).toMatchObject({
      item: { id: A },
      subject: { codename: 'local' },
      instance: 0,
      itemStates: [],
    });
  });

  it('sends nothing when nothing was sampled', () => {
    expect(
      mapMonitoring(
        { messageType: 'monitoringData', nodes: [{ nodeId: 'main', items: [] }], serviceInstances: [] },
        'main',
      ),
    ).toBeUndefined();
  });

  it('maps quota alerts', () => {
    const instance = mapQuotaAlert(
      {
        timestamp: at,
        tag: 'instanceQuotaAlert',
        serviceId: A,
        subjectId: 'local',
        instance: 1,
        parameter: 'ram',
        value: 91.6,
        state: 'raise',
      },
      'main',
    );
    expect(alertSchema.safeParse(instance).success).toBe(true);
    expect(instance).toEqual({
      timestamp: at,
      tag: 'instanceQuotaAlert',
      item: { id: A },
      subject: { codename: 'local' },
      instance: 1,
      parameter: 'ram',
      value: 92,
      // OpenAos's extra field: the cloud keeps the episode from raise to fall (docs/alerts-and-state.md).
      state: 'raise',
    });
    const system = mapQuotaAlert(
      { timestamp: at, tag: 'systemQuotaAlert', nodeId: 'main', parameter: 'cpu', value: 80 },
      'main',
    );
    expect(system).toEqual({
      timestamp: at,
      tag: 'systemQuotaAlert',
      node: { codename: 'main' },
      parameter: 'cpu',
      value: 80,
    });
    expect(mapQuotaAlert({ timestamp: at, tag: 'systemAlert', nodeId: 'main', message: 'x' }, 'main')).toBeUndefined();
  });
});
