import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseAosServiceConfig, parseOciImageConfig } from './parse-device-config.js';

/** The docs' example (reference §3.3), older field names included. */
const DOCS_EXAMPLE = {
  created: '2020-04-09T11:22:00.015925234Z',
  author: 'Aos Cloud',
  runner: 'crun',
  hostname: 'servicehostname',
  sysctl: [{ name: 'value' }],
  offlineTTL: 'P1M',
  quotas: {
    stateLimit: 1234,
    storageLimit: 1234,
    uploadSpeed: 2048,
    downloadSpeed: 2048,
    uploadLimit: 65536,
    downloadLimit: 65536,
    ramLimit: 12345,
    pidsLimit: 10,
    noFileLimit: 1024,
    cpuLimit: 50,
    tmpLimit: 1234,
    visPermissions: 'permissions',
  },
  allowedConnections: { 'service-UUID/1515/udp': {}, 'service-UUID1/1516:1520/udp': {} },
  devices: [
    { name: 'camera0', permissions: 'r' },
    { name: 'gpu0', permissions: 'rwm' },
  ],
  resources: ['system-dbus', 'bluetooth'],
  permissions: {
    vis: { 'Attribute.Body.Vehicle.VIN': 'r', 'Signal.Doors.*': 'r' },
    systemCore: { 'Services.Restart': 'w', SomeRole: 'rw' },
  },
  runParameters: { startInterval: 'PT1S', startBurst: 3, restartInterval: 'PT1S' },
};

/** Era B item config from aos_core_cpp's tests (reference §3.4), abridged. */
const ITEM_CONFIG_EXAMPLE = {
  created: '2024-12-31T23:59:59Z',
  author: 'Aos cloud',
  architecture: 'x86',
  balancingPolicy: 'disabled',
  hostname: 'test-hostname',
  runtimes: [{ codename: 'crun' }, { codename: 'runc' }],
  runParameters: { startInterval: 'PT1M', startBurst: 0, restartInterval: 'PT5M' },
  offlineTTL: 'P1DT3H',
  quotas: {
    cpuLimit: 100,
    ramLimit: 200,
    storageLimit: 300,
    stateLimit: 400,
    tmpLimit: 500,
    uploadSpeed: 600,
    downloadSpeed: 700,
    noFileLimit: 800,
    pidsLimit: 900,
  },
  alertRules: {
    ram: { minTimeout: 'PT1M', minThreshold: 10, maxThreshold: 20 },
    storage: { name: 'storage-name', minTimeout: 'PT3M', minThreshold: 20, maxThreshold: 30 },
  },
  sysctl: { key1: 'value1' },
  allowedConnections: { '9931560c-be75-4f60-9abf-08297d905332/8087-8088/tcp': {} },
  resources: [{ name: 'resource1', mode: 'rw' }],
};

describe('parseAosServiceConfig', () => {
  it('accepts the docs example, mapping older names', () => {
    const config = parseAosServiceConfig(DOCS_EXAMPLE);
    expect(config).toMatchObject({
      created: DOCS_EXAMPLE.created,
      author: 'Aos Cloud',
      skipResourceLimits: false,
      balancingPolicy: 'enabled',
      runners: ['crun'],
      hostname: 'servicehostname',
      sysctl: { name: 'value' },
      offlineTTL: 'P1M',
      devices: DOCS_EXAMPLE.devices,
      resources: ['system-dbus', 'bluetooth'],
      permissions: DOCS_EXAMPLE.permissions,
      runParameters: DOCS_EXAMPLE.runParameters,
    });
    expect(config.quotas).toEqual({
      stateLimit: 1234,
      storageLimit: 1234,
      uploadSpeed: 2048,
      downloadSpeed: 2048,
      uploadLimit: 65536,
      downloadLimit: 65536,
      ramLimit: 12345,
      pidsLimit: 10,
      noFileLimit: 1024,
      cpuLimit: 50,
      tmpLimit: 1234,
    });
    expect(Object.keys(config.allowedConnections ?? {})).toEqual([
      'service-UUID/1515/udp',
      'service-UUID1/1516:1520/udp',
    ]);
  });

  it('accepts the era B item config example', () => {
    const config = parseAosServiceConfig(ITEM_CONFIG_EXAMPLE);
    expect(config.runners).toEqual(['crun', 'runc']);
    expect(config.balancingPolicy).toBe('disabled');
    expect(config.alertRules).toEqual({
      ram: { minTimeout: 'PT1M', minThreshold: 10, maxThreshold: 20 },
      partitions: [{ name: 'storage-name', minTimeout: 'PT3M', minThreshold: 20, maxThreshold: 30 }],
    });
    expect(config.resources).toEqual(['resource1']);
    expect(config.quotas.pidsLimit).toBe(900);
  });

  it('accepts what Go writes: offlineTtl, null pointers, numeric durations', () => {
    const config = parseAosServiceConfig({
      created: '2024-01-01T00:00:00Z',
      author: 'x',
      skipResourceLimits: true,
      balancingPolicy: 'enabled',
      runners: ['runc'],
      offlineTtl: 90,
      runParameters: { startInterval: '1m30s' },
      quotas: { cpuDMIPSLimit: 1000 },
      requestedResources: null,
      alertRules: null,
    });
    expect(config.offlineTTL).toBe('PT90S');
    expect(config.runParameters).toEqual({ startInterval: 'PT90S' });
    expect(config.quotas).toEqual({ cpuDmipsLimit: 1000 });
    expect(config.requestedResources).toBeUndefined();
    expect(config.alertRules).toBeUndefined();
  });

  it('refuses an invalid document listing every problem', () => {
    let caught: unknown;
    try {
      parseAosServiceConfig({ author: 3, quotas: { ramLimit: -1 }, balancingPolicy: 'maybe', offlineTTL: 'soon' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.code).toBe('invalid-device-config');
    expect(error.problems.map((problem) => problem.path).sort()).toEqual([
      'author',
      'balancingPolicy',
      'created',
      'offlineTTL',
      'quotas.ramLimit',
    ]);
    expect(error.message).toMatch(/^validating service_config.json: /);
  });

  it.each([null, 'text', [], 42])('refuses %j', (json) => {
    expect(() => parseAosServiceConfig(json)).toThrow(ConfigError);
  });
});

describe('parseOciImageConfig', () => {
  const DIFF_ID = `sha256:${'0'.repeat(64)}`;

  it('accepts the aos_core_cpp example with lower-case config keys', () => {
    const image = parseOciImageConfig({
      architecture: 'x86_64',
      author: 'gtest',
      created: '2024-12-31T23:59:59Z',
      os: 'Linux',
      config: {
        exposedPorts: { '8080/tcp': {}, '53/udp': {} },
        cmd: ['test-cmd'],
        entrypoint: ['test-entrypoint'],
        env: ['A=1'],
        workingDir: '/test-working-dir',
      },
      rootfs: { type: 'layers', diff_ids: [DIFF_ID] },
    });
    expect(image).toEqual({
      architecture: 'x86_64',
      author: 'gtest',
      created: '2024-12-31T23:59:59Z',
      os: 'linux',
      config: {
        ExposedPorts: { '8080/tcp': {}, '53/udp': {} },
        Cmd: ['test-cmd'],
        Entrypoint: ['test-entrypoint'],
        Env: ['A=1'],
        WorkingDir: '/test-working-dir',
      },
      rootfs: { type: 'layers', diff_ids: [DIFF_ID] },
    });
  });

  it('drops the nulls Docker writes', () => {
    const image = parseOciImageConfig({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: null, Entrypoint: null, Env: null, WorkingDir: '' },
      rootfs: { type: 'layers', diff_ids: [] },
    });
    expect(image.config).toEqual({});
  });

  it.each([
    ['a non-linux os', { os: 'windows' }, 'os'],
    ['a bad diff id', { rootfs: { type: 'layers', diff_ids: ['sha256:xyz'] } }, 'rootfs.diff_ids.0'],
    ['a string Cmd', { config: { Cmd: 'echo' } }, 'config.Cmd'],
    ['a bad exposed port', { config: { ExposedPorts: { http: {} } } }, 'config.ExposedPorts.http'],
    ['no architecture', { architecture: '' }, 'architecture'],
  ])('refuses %s', (_name, change, path) => {
    const base = { architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [] } };
    try {
      parseOciImageConfig({ ...base, ...change });
      expect.unreachable('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((problem) => problem.path)).toContain(path);
    }
  });
});
