import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { formatProblems } from './format-problems.js';
import { parseServiceConfig, validateServiceConfig } from './parse-service-config.js';

const SERVICE_UID = '9931560c-be75-4f60-9abf-08297d905332';

/**
 * A valid config whose configuration section ends with `extra` (indented 4 spaces by the
 * caller); the default cmd is left out when `extra` has one.
 */
function configWith(extra: string, publishExtra = `    version: "1.0.0"\n`): string {
  return (
    `build:\n    os: linux\n    arch: x86\n    sign_pkcs12: aos-user-sp.p12\n` +
    `publish:\n    url: aoscloud.io\n    service_uid: ${SERVICE_UID}\n${publishExtra}` +
    `configuration:\n${extra.includes('    cmd:') ? '' : '    cmd: python3 -u /hello.py\n'}${extra}`
  );
}

function problemsOf(text: string, forSigning = false): { path: string; message: string; severity?: string }[] {
  return validateServiceConfig(text, { file: 'meta/config.yaml', forSigning }).problems.map(
    ({ path, message, severity }) => (severity === undefined ? { path, message } : { path, message, severity }),
  );
}

describe('parseServiceConfig defaults', () => {
  it('fills in aos-signer defaults', () => {
    const config = parseServiceConfig(configWith(''), { file: 'meta/config.yaml', forSigning: true });
    expect(config.build).toEqual({
      os: 'linux',
      arch: 'x86',
      sign_pkcs12: 'aos-user-sp.p12',
      symlinks: 'copy',
      source_folder: 'src',
      package_folder: '.',
    });
    expect(config.configuration).toEqual({
      cmd: 'python3 -u /hello.py',
      isResourceLimits: true,
      balancingPolicy: 'enabled',
    });
  });

  it('reads every configuration field', () => {
    const config = parseServiceConfig(
      configWith(
        [
          '    cmd: [python3, -u, /app.py]',
          '    workingDir: /app',
          '    state: {required: True}',
          '    layers: [python-3.11, {uid: libs, minVersion: 1.0.0, maxVersion: 2.0.0}]',
          '    env: [A=1, "B=two words", C=]',
          '    instances: {minInstances: 2, priority: 100, labels: [big]}',
          "    runParameters: {startInterval: 'PT10S', startBurst: 3, restartInterval: 'PT1S'}",
          "    offlineTTL: 'P7D'",
          "    downloadTTL: 'PT1H'",
          '    isResourceLimits: False',
          '    runners: [runc]',
          '    balancingPolicy: disabled',
          '    hostname: my-container',
          '    exposedPorts: [9000, 8089-8090/tcp, 1515/udp]',
          `    allowedConnections: [${SERVICE_UID}/8087-8088/tcp]`,
          '    quotas: {cpu: 50, mem: 64MB, state: 64KB, storage: 1MiB, upload_speed: 32Kb, download_speed: 64Kb, upload: 1GB, download: 2GB, temp: 32kB}',
          '    requestedResources: {cpu: 10000, ram: 32MB, storage: 64kB, state: 32kB}',
          "    alerts: {ram: {minTime: 'PT5S', minThreshold: 10, maxThreshold: 150}, storage: {minTime: 'PT1M', minThreshold: 5, maxThreshold: 95}}",
          '    devices: [{name: camera0, mode: rw}]',
          '    resources: [system-dbus]',
          '    permissions: {vis: {Attribute.Body.Vehicle.VIN: r, Signal.Doors.*: rw}}',
          '',
        ].join('\n'),
        '    version: "1.0.0-beta.1"\n',
      ),
      { file: 'meta/config.yaml' },
    );
    expect(config.configuration).toEqual({
      cmd: ['python3', '-u', '/app.py'],
      workingDir: '/app',
      state: { filename: 'state.dat', required: true },
      layers: [{ uid: 'python-3.11' }, { uid: 'libs', minVersion: '1.0.0', maxVersion: '2.0.0' }],
      env: ['A=1', 'B=two words', 'C='],
      instances: { minInstances: 2, priority: 100, labels: ['big'] },
      runParameters: { startInterval: 'PT10S', startBurst: 3, restartInterval: 'PT1S' },
      offlineTTL: 'P7D',
      downloadTTL: 'PT1H',
      isResourceLimits: false,
      runners: ['runc'],
      balancingPolicy: 'disabled',
      hostname: 'my-container',
      exposedPorts: ['9000', '8089-8090/tcp', '1515/udp'],
      allowedConnections: [`${SERVICE_UID}/8087-8088/tcp`],
      quotas: {
        cpu: 50,
        mem: 64_000_000,
        state: 64_000,
        storage: 1_048_576,
        upload_speed: 32_000,
        download_speed: 64_000,
        upload: 1_000_000_000,
        download: 2_000_000_000,
        temp: 32_000,
      },
      requestedResources: { cpu: 10000, ram: 32_000_000, storage: 64_000, state: 32_000 },
      alerts: {
        ram: { minTime: 'PT5S', minThreshold: 10, maxThreshold: 150 },
        storage: { minTime: 'PT1M', minThreshold: 5, maxThreshold: 95 },
      },
      devices: [{ name: 'camera0', mode: 'rw' }],
      resources: ['system-dbus'],
      permissions: { vis: { 'Attribute.Body.Vehicle.VIN': 'r', 'Signal.Doors.*': 'rw' } },
    });
  });
});

describe('each rule has a failing case', () => {
  it.each([
    [
      'mem below 6MB for runc',
      '    quotas: {mem: 2kB}\n',
      'configuration.quotas.mem',
      /at least 6MB for runc and crun \(got 2kB = 2000 bytes\)/,
    ],
    [
      'requested ram below 6MB',
      '    requestedResources: {ram: 5MB}\n',
      'configuration.requestedResources.ram',
      /at least 6MB.*5000000 bytes/,
    ],
    [
      'mem below 6MB with runner crun',
      '    runner: crun\n    quotas: {mem: 1MB}\n',
      'configuration.quotas.mem',
      /at least 6MB/,
    ],
    ['unknown size unit', '    quotas: {temp: 3 parsecs}\n', 'configuration.quotas.temp', /"3 parsecs" is not a size/],
    [
      'cpu quota not a number',
      '    quotas: {cpu: half}\n',
      'configuration.quotas.cpu',
      /must be a number of at least 1/,
    ],
    ['bad duration', "    offlineTTL: '1 minute'\n", 'configuration.offlineTTL', /is not an ISO 8601 duration/],
    [
      'bad run parameter',
      "    runParameters: {restartInterval: 'PT'}\n",
      'configuration.runParameters.restartInterval',
      /ISO 8601/,
    ],
    [
      'negative start burst',
      '    runParameters: {startBurst: -1}\n',
      'configuration.runParameters.startBurst',
      /-1 is out of range/,
    ],
    [
      'skip limits on a release',
      '    isResourceLimits: false\n',
      'configuration.isResourceLimits',
      /version 1.0.0 is not a pre-release/,
    ],
    [
      'isResourceLimits not boolean',
      '    isResourceLimits: maybe\n',
      'configuration.isResourceLimits',
      /must be true or false/,
    ],
    ['bad runner', '    runner: docker\n', 'configuration.runner', /"docker" is not allowed/],
    ['bad runners item', '    runners: [runc, lxc]\n', 'configuration.runners[1]', /"lxc" is not allowed/],
    ['empty runners', '    runners: []\n', 'configuration.runners', /the list is empty/],
    ['bad balancing policy', '    balancingPolicy: sometimes\n', 'configuration.balancingPolicy', /is not allowed/],
    ['bad hostname', '    hostname: my_container!\n', 'configuration.hostname', /is not valid/],
    ['port out of range', '    exposedPorts: [70000]\n', 'configuration.exposedPorts[0]', /outside 1-65535/],
    [
      'reversed port range',
      '    exposedPorts: [9001-9000]\n',
      'configuration.exposedPorts[0]',
      /range start 9001 must be below/,
    ],
    ['bad protocol', '    exposedPorts: [53/sctp]\n', 'configuration.exposedPorts[0]', /not tcp or udp/],
    [
      'connection not UUID v4',
      '    allowedConnections: [9931560c-be75-1f60-9abf-08297d905332/80/tcp]\n',
      'configuration.allowedConnections[0]',
      /not a version 4/,
    ],
    [
      'connection not a UUID',
      '    allowedConnections: [backend/80/tcp]\n',
      'configuration.allowedConnections[0]',
      /"backend" is not a service UUID/,
    ],
    [
      'connection without protocol',
      `    allowedConnections: [${SERVICE_UID}/80]\n`,
      'configuration.allowedConnections[0]',
      /2 "\/"-separated parts, not 3/,
    ],
    [
      'connection bad range',
      `    allowedConnections: [${SERVICE_UID}/90-80/udp]\n`,
      'configuration.allowedConnections[0]',
      /range start 90/,
    ],
    [
      'connection bad protocol',
      `    allowedConnections: [${SERVICE_UID}/80/icmp]\n`,
      'configuration.allowedConnections[0]',
      /"icmp" is not tcp or udp/,
    ],
    ['env without =', '    env: [DEBUG]\n', 'configuration.env[0]', /is not NAME=value/],
    ['relative workingDir', '    workingDir: app\n', 'configuration.workingDir', /is not an absolute path/],
    ['unclosed quote in cmd', '    cmd: python3 "/a b.py\n', 'configuration.cmd', /double quote is not closed/],
    ['empty cmd list', '    cmd: []\n', 'configuration.cmd', /the command is empty/],
    ['duplicate layer', '    layers: [a, {uid: a}]\n', 'configuration.layers[1]', /listed twice/],
    ['layer without uid', '    layers: [{minVersion: 1.0.0}]\n', 'configuration.layers[0].uid', /is required/],
    [
      'layer min above max',
      '    layers: [{uid: a, minVersion: 2.0.0, maxVersion: 1.0.0}]\n',
      'configuration.layers[0].minVersion',
      /above maxVersion/,
    ],
    [
      'layer bad version',
      '    layers: [{uid: a, minVersion: latest}]\n',
      'configuration.layers[0].minVersion',
      /"latest" is not valid/,
    ],
    ['state file in a folder', '    state: {filename: ../state.dat}\n', 'configuration.state.filename', /is not valid/],
    [
      'priority too high',
      '    instances: {priority: 2000000000}\n',
      'configuration.instances.priority',
      /out of range/,
    ],
    [
      'fractional minInstances',
      '    instances: {minInstances: 1.5}\n',
      'configuration.instances.minInstances',
      /whole number/,
    ],
    [
      'alert without minTime',
      '    alerts: {cpu: {minThreshold: 1, maxThreshold: 2}}\n',
      'configuration.alerts.cpu.minTime',
      /is required/,
    ],
    [
      'alert thresholds reversed',
      "    alerts: {cpu: {minTime: 'PT5S', minThreshold: 50, maxThreshold: 40}}\n",
      'configuration.alerts.cpu.minThreshold',
      /above maxThreshold/,
    ],
    ['device bad mode', '    devices: [{name: gpu0, mode: rwx}]\n', 'configuration.devices[0].mode', /is not valid/],
    ['device without name', '    devices: [{mode: r}]\n', 'configuration.devices[0].name', /is required/],
    [
      'bad permission',
      '    permissions: {vis: {Signal.Speed: read}}\n',
      'configuration.permissions.vis.Signal.Speed',
      /is not valid/,
    ],
    ['quotas not a mapping', '    quotas: [mem, 8MB]\n', 'configuration.quotas', /must be a mapping/],
    ['resources not a list', '    resources: vis\n', 'configuration.resources', /must be a list/],
    ['duplicate key', '    workingDir: /\n    workingDir: /app\n', 'configuration.workingDir', /given twice/],
  ])('%s', (_name, extra, path, message) => {
    const problems = problemsOf(configWith(extra));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path });
    expect(problems[0]?.message).toMatch(message);
  });

  it('does not apply the 6MB minimum to xrun', () => {
    expect(problemsOf(configWith('    runners: [xrun]\n    quotas: {mem: 2MB}\n'))).toEqual([]);
    expect(problemsOf(configWith('    runners: [xrun, runc]\n    quotas: {mem: 2MB}\n'))).toHaveLength(1);
  });

  it('allows skipping resource limits on a pre-release', () => {
    expect(problemsOf(configWith('    isResourceLimits: false\n', '    version: "1.0.0-rc.1"\n'))).toEqual([]);
  });

  it.each([
    ['build.arch', 'build:\n    arch: sparc\n', /unknown architecture "sparc"/],
    ['build.os', 'build:\n    os: windows\n', /"windows" is not supported/],
    ['build.symlinks', 'build:\n    symlinks: follow\n', /"follow" is not allowed/],
    ['build.source_folder', 'build:\n    source_folder: ../src\n', /leaves the service folder/],
    ['build.sign_key', 'build:\n    sign_key: key.pem\n', /sign_key is given without sign_certificate/],
    ['publish.url', 'publish:\n    url: https://aoscloud.io\n', /is not a host name/],
    ['publish.service_uid', 'publish:\n    service_uid: not-a-uuid\n', /"not-a-uuid" is not valid/],
    ['publish.version', 'publish:\n    version: 1.0\n', /must be a text value \(got the number 1.0\)/],
    ['publish.version', 'publish:\n    version: "v1"\n', /"v1" is not valid/],
  ])('%s: %s', (path, section, message) => {
    const text = `${section}configuration:\n    cmd: x\n${path.startsWith('build') ? 'publish: {}\n' : 'build: {}\n'}`;
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path });
    expect(problems[0]?.message).toMatch(message);
  });

  it('requires the three sections', () => {
    expect(problemsOf('publisher: {author: me}\n').map((problem) => problem.path)).toEqual([
      'build',
      'publish',
      'configuration',
    ]);
    expect(problemsOf('# nothing\n')).toEqual([{ path: '', message: 'the file has no settings' }]);
    expect(problemsOf('- a list\n')[0]?.message).toMatch(/must be a mapping/);
  });

  it('requires a signing credential, a service UID and a version for signing only', () => {
    const text = 'build: {os: linux}\npublish: {url: aoscloud.io}\nconfiguration: {cmd: x}\n';
    expect(problemsOf(text)).toEqual([]);
    expect(problemsOf(text, true)).toEqual([
      { path: 'build.sign_pkcs12', message: expect.stringMatching(/no signing credential/) },
      { path: 'publish.service_uid', message: 'is required for signing' },
      { path: 'publish.version', message: 'is required for signing' },
    ]);
    const withPem =
      'build: {sign_key: k.pem, sign_certificate: c.pem}\npublish: {service_uid: ' +
      SERVICE_UID +
      ', version: "2.0.0"}\nconfiguration: {}\n';
    expect(problemsOf(withPem, true)).toEqual([]);
  });
});

describe('unknown keys', () => {
  it('are warnings with a "did you mean" hint and do not fail parsing', () => {
    const text = configWith('    workingdir: /\n    qoutas: {mem: 8MB}\n    frobnicate: 1\n');
    const { config, problems } = validateServiceConfig(text, { file: 'meta/config.yaml' });
    expect(config).toBeDefined();
    expect(problems.map(({ path, severity, hint }) => ({ path, severity, hint }))).toEqual([
      { path: 'configuration.workingdir', severity: 'warning', hint: 'did you mean "workingDir"?' },
      { path: 'configuration.qoutas', severity: 'warning', hint: 'did you mean "quotas"?' },
      { path: 'configuration.frobnicate', severity: 'warning', hint: 'remove it, or check the spelling' },
    ]);
    expect(() => parseServiceConfig(text, { file: 'meta/config.yaml' })).not.toThrow();
  });

  it('warns about runner next to runners', () => {
    expect(problemsOf(configWith('    runner: crun\n    runners: [runc]\n'))).toEqual([
      { path: 'configuration.runner', message: 'runner is ignored because runners is given', severity: 'warning' },
    ]);
  });
});

describe('all problems of a file at once, with positions', () => {
  const text = [
    'build:', //                                  1
    '    arch: sparc', //                         2
    '    symlink: copy', //                       3
    'publish:', //                                4
    '    url: aoscloud.io', //                    5
    '    version: 1.0', //                        6
    'configuration:', //                          7
    '    cmd: python3 -u /hello.py', //           8
    '    quotas:', //                             9
    '        mem: 2kB', //                        10
    "        temp: '32 KB'", //                   11
    '    exposedPorts:', //                       12
    '        - 8080', //                          13
    '        - 80-70/tcp', //                     14
    "    offlineTTL: '1m'", //                    15
    '',
  ].join('\n');

  it('reports each with file, line, column, path, expected and hint', () => {
    const { config, problems } = validateServiceConfig(text, { file: 'meta/config.yaml', forSigning: true });
    expect(config).toBeUndefined();
    expect(problems.map(({ line, column, path }) => `${line}:${column} ${path}`)).toEqual([
      '1:1 build.sign_pkcs12',
      '2:11 build.arch',
      '3:5 build.symlink',
      '4:1 publish.service_uid',
      '6:14 publish.version',
      '10:14 configuration.quotas.mem',
      '14:11 configuration.exposedPorts[1]',
      '15:17 configuration.offlineTTL',
    ]);
    expect(problems.every((problem) => problem.file === 'meta/config.yaml')).toBe(true);
    expect(problems.find((problem) => problem.path === 'publish.version')).toMatchObject({
      expected: expect.stringMatching(/SemVer/),
      hint: 'put it in quotes: "1.0"',
    });
  });

  it('throws one ConfigError carrying all of them, formatted for people', () => {
    let caught: unknown;
    try {
      parseServiceConfig(text, { file: 'meta/config.yaml' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.code).toBe('invalid-config');
    expect(error.file).toBe('meta/config.yaml');
    expect(error.problems.filter((problem) => problem.severity !== 'warning')).toHaveLength(5);
    expect(error.message).toContain('validating meta/config.yaml: 5 problems');
    expect(error.message).toContain(
      'meta/config.yaml:10:14  configuration.quotas.mem  must be at least 6MB for runc and crun (got 2kB = 2000 bytes)',
    );
    expect(formatProblems(error.problems)).toContain('meta/config.yaml:3:5  warning  build.symlink  unknown key');
  });

  it('reports YAML syntax errors as problems from validate and as invalid-yaml from parse', () => {
    const broken = 'build:\n  arch: [x86\n';
    expect(validateServiceConfig(broken, { file: 'c.yaml' }).problems[0]).toMatchObject({ file: 'c.yaml', line: 3 });
    expect(() => parseServiceConfig(broken, { file: 'c.yaml' })).toThrow(
      expect.objectContaining({ code: 'invalid-yaml' }),
    );
  });
});

describe('anchors, aliases and merge keys', () => {
  it('honours them as PyYAML does, explicit keys winning', () => {
    const text = configWith(
      '    x-limits: &limits {mem: 64MB, cpu: 10}\n' +
        '    x-reserved: &reserved {ram: 32MB}\n' +
        '    quotas:\n        <<: *limits\n        cpu: 50\n' +
        '    requestedResources: *reserved\n',
    );
    const { config, problems } = validateServiceConfig(text, { file: 'meta/config.yaml' });
    expect(config?.configuration.quotas).toEqual({ mem: 64_000_000, cpu: 50 });
    expect(config?.configuration.requestedResources).toEqual({ ram: 32_000_000 });
    expect(problems.map(({ path, severity }) => `${severity} ${path}`)).toEqual([
      'warning configuration.x-limits',
      'warning configuration.x-reserved',
    ]);
  });

  it('checks merged values like written ones', () => {
    const text = configWith('    base: &base {mem: 1MB}\n    quotas: {<<: *base}\n');
    expect(problemsOf(text).map((problem) => problem.path)).toEqual(['configuration.base', 'configuration.quotas.mem']);
  });
});

describe('empty values', () => {
  it('point at the empty list item', () => {
    const text = 'build: {}\npublish: {}\nconfiguration:\n  env:\n    - A=1\n    -\n  runners:\n    - runc\n    - \n';
    const problems = validateServiceConfig(text, { file: 'c.yaml' }).problems;
    expect(problems.map(({ line, column, path, message }) => `${line}:${column} ${path} ${message}`)).toEqual([
      '6:6 configuration.env[1] is empty',
      '9:7 configuration.runners[1] is empty',
    ]);
  });

  it('treat `key:` with nothing after it as absent', () => {
    const config = parseServiceConfig('publisher:\nbuild:\n  arch:\npublish: {}\nconfiguration:\n  quotas:\n', {
      file: 'c.yaml',
    });
    expect(config.publisher).toBeUndefined();
    expect(config.build.arch).toBeUndefined();
    expect(config.configuration.quotas).toBeUndefined();
  });

  it('but an empty required section is reported', () => {
    expect(problemsOf('build:\npublish:\nconfiguration: {}\n').map((problem) => problem.path)).toEqual([
      'build',
      'publish',
    ]);
  });
});
