import { describe, expect, it } from 'vitest';
import { parseAosServiceConfig } from './parse-device-config.js';
import { parseServiceConfig } from './parse-service-config.js';
import { toServiceConfigJson } from './translate-service-config.js';

const CREATED = '2026-11-25T12:00:00Z';
const PEER = '9931560c-be75-4f60-9abf-08297d905332';

const FULL = `publisher: {author: Jane SP, company: ACME}
build: {arch: x86}
publish: {version: "1.0.0-beta.1"}
configuration:
    cmd: python3 -u /hello.py
    instances: {minInstances: 2, priority: 5, labels: [big]}
    layers: [python-3.11]
    downloadTTL: 'PT1H'
    state: {required: true}
    runParameters: {startInterval: 'PT10S', startBurst: 3, restartInterval: 'PT1S'}
    offlineTTL: 'P7D'
    isResourceLimits: False
    runner: crun
    balancingPolicy: disabled
    hostname: hello
    exposedPorts: [9000, 1515/udp]
    allowedConnections: [${PEER}/8087-8088/tcp, ${PEER}/1515/udp]
    quotas: {cpu: 50, mem: 64MB, state: 64KB, storage: 1MiB, upload_speed: 32Kb, download_speed: 64Kb, upload: 1GB, download: 2GB, temp: 32kB}
    requestedResources: {cpu: 10000, ram: 32MB, storage: 64kB, state: 32kB}
    alerts:
        ram: {minTime: 'PT5S', minThreshold: 10, maxThreshold: 150}
        cpu: {minTime: 'PT6S', minThreshold: 40, maxThreshold: 45}
        storage: {minTime: 'PT7S', minThreshold: 10, maxThreshold: 95}
        upload: {minTime: 'PT8S', minThreshold: 1, maxThreshold: 2}
        download: {minTime: 'PT9S', minThreshold: 3, maxThreshold: 4}
    devices: [{name: camera0, mode: rw}, {name: gpu0, mode: rwm}]
    resources: [system-dbus, bluetooth]
    permissions: {vis: {Attribute.Body.Vehicle.VIN: r}}
`;

describe('toServiceConfigJson', () => {
  const config = parseServiceConfig(FULL, { file: 'meta/config.yaml' });
  const json = toServiceConfigJson(config, { created: CREATED, author: 'OpenAos cloud' });

  it('maps each field by the reference §3.5', () => {
    expect(json.created).toBe(CREATED);
    expect(json.author).toBe('OpenAos cloud');
    expect(json.skipResourceLimits).toBe(true);
    expect(json.balancingPolicy).toBe('disabled');
    expect(json.hostname).toBe('hello');
    expect(json.runners).toEqual(['crun']);
    expect(json.runParameters).toEqual({ startInterval: 'PT10S', startBurst: 3, restartInterval: 'PT1S' });
    expect(json.offlineTTL).toBe('P7D');
    expect(json.quotas).toEqual({
      cpuLimit: 50,
      ramLimit: 64_000_000,
      stateLimit: 64_000,
      storageLimit: 1_048_576,
      uploadSpeed: 32_000,
      downloadSpeed: 64_000,
      uploadLimit: 1_000_000_000,
      downloadLimit: 2_000_000_000,
      tmpLimit: 32_000,
    });
    expect(json.requestedResources).toEqual({ cpu: 10000, ram: 32_000_000, storage: 64_000, state: 32_000 });
    expect(json.allowedConnections).toEqual({ [`${PEER}/8087-8088/tcp`]: {}, [`${PEER}/1515/udp`]: {} });
    expect(json.exposedPorts).toEqual(['9000/tcp', '1515/udp']);
    expect(json.devices).toEqual([
      { name: 'camera0', permissions: 'rw' },
      { name: 'gpu0', permissions: 'rwm' },
    ]);
    expect(json.resources).toEqual(['system-dbus', 'bluetooth']);
    expect(json.permissions).toEqual({ vis: { 'Attribute.Body.Vehicle.VIN': 'r' } });
    expect(json.alertRules).toEqual({
      ram: { minTimeout: 'PT5S', minThreshold: 10, maxThreshold: 150 },
      cpu: { minTimeout: 'PT6S', minThreshold: 40, maxThreshold: 45 },
      partitions: [{ name: 'storage', minTimeout: 'PT7S', minThreshold: 10, maxThreshold: 95 }],
      upload: { minTimeout: 'PT8S', minThreshold: 1, maxThreshold: 2 },
      download: { minTimeout: 'PT9S', minThreshold: 3, maxThreshold: 4 },
    });
  });

  it('leaves out what the device does not get: instances, layers, downloadTTL, state', () => {
    const keys = Object.keys(json);
    for (const absent of ['instances', 'layers', 'downloadTTL', 'state', 'minInstances', 'cmd']) {
      expect(keys).not.toContain(absent);
    }
  });

  it('reads back through parseAosServiceConfig unchanged', () => {
    expect(parseAosServiceConfig(JSON.parse(JSON.stringify(json)))).toEqual(json);
  });

  it('uses the defaults for a minimal config', () => {
    const minimal = parseServiceConfig('build: {}\npublish: {}\nconfiguration: {cmd: x}\n', { file: 'c.yaml' });
    expect(toServiceConfigJson(minimal, { created: CREATED })).toEqual({
      created: CREATED,
      author: 'OpenAos',
      skipResourceLimits: false,
      balancingPolicy: 'enabled',
      runners: ['runc', 'crun'],
      quotas: {},
    });
  });

  it('prefers runners to runner, and takes the author from the publisher', () => {
    const both = parseServiceConfig(
      'publisher: {company: ACME}\nbuild: {}\npublish: {}\nconfiguration: {runner: crun, runners: [runc, xrun]}\n',
      { file: 'c.yaml' },
    );
    const result = toServiceConfigJson(both, { created: CREATED });
    expect(result.runners).toEqual(['runc', 'xrun']);
    expect(result.author).toBe('ACME');
  });
});
