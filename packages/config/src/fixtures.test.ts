import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseServiceConfig, validateServiceConfig } from './parse-service-config.js';

const FIXTURES = join(import.meta.dirname, '..', 'test-fixtures', 'aos-demo-services');

/** What validation with forSigning must report for each real demo service: [path, line, message]. */
const SIGNING_PROBLEMS: Record<string, [string, number, RegExp][]> = {
  cpu_load: [],
  demo_insurance: [
    ['publish.version', 17, /is required for signing/],
    ['publish.service_uid', 19, /is required for signing/],
  ],
  'kuksa-test-client': [['publish.service_uid', 19, /is required for signing/]],
  monkey_zephyr: [
    ['publish.version', 16, /is required for signing/],
    ['publish.service_uid', 18, /is required for signing/],
  ],
  ram_consumer: [
    ['publish.version', 16, /is required for signing/],
    ['publish.service_uid', 18, /is required for signing/],
  ],
  unikernel_pvcalls: [
    ['publish.version', 16, /is required for signing/],
    ['publish.service_uid', 18, /is required for signing/],
  ],
};

function readFixture(name: string): string {
  return readFileSync(join(FIXTURES, name, 'config.yaml'), 'utf8');
}

describe('AosEdge demo service configs', () => {
  it('covers every fixture', () => {
    expect(readdirSync(FIXTURES).sort()).toEqual(Object.keys(SIGNING_PROBLEMS).sort());
  });

  it.each(Object.keys(SIGNING_PROBLEMS))('%s parses without problems', (name) => {
    const { config, problems } = validateServiceConfig(readFixture(name), { file: `${name}/config.yaml` });
    expect(problems).toEqual([]);
    expect(config).toBeDefined();
  });

  it.each(Object.entries(SIGNING_PROBLEMS))('%s for signing reports exactly what is missing', (name, expected) => {
    const file = `${name}/meta/config.yaml`;
    const { config, problems } = validateServiceConfig(readFixture(name), { file, forSigning: true });
    expect(problems.map((problem) => [problem.path, problem.line])).toEqual(
      expected.map(([path, line]) => [path, line]),
    );
    problems.forEach((problem, index) => {
      expect(problem.file).toBe(file);
      expect(problem.message).toMatch(expected[index]![2]);
      expect(problem.hint).toBeDefined();
    });
    expect(config === undefined).toBe(expected.length > 0);
    if (expected.length > 0) {
      expect(() => parseServiceConfig(readFixture(name), { file, forSigning: true })).toThrow(ConfigError);
    }
  });

  it('reads cpu_load, the one that was really signed, field by field', () => {
    const config = parseServiceConfig(readFixture('cpu_load'), { file: 'config.yaml', forSigning: true });
    expect(config).toEqual({
      build: {
        os: 'linux',
        arch: 'x86',
        sign_pkcs12: 'aos-user-sp.p12',
        symlinks: 'copy',
        source_folder: 'src',
        package_folder: '.',
      },
      publish: {
        url: 'stage.epmp-aos.projects.epam.com',
        service_uid: '2efd1506-564e-40de-9466-66ae7a25fac0',
        tls_pkcs12: 'aos-user-sp.p12',
        version: '1.0.0',
      },
      configuration: {
        cmd: 'python3 /cpu_load/cpu_load.py',
        instances: { minInstances: 1, priority: 10 },
        workingDir: '/',
        isResourceLimits: true,
        balancingPolicy: 'enabled',
      },
    });
  });

  it('reads the other forms the demos use', () => {
    const insurance = parseServiceConfig(readFixture('demo_insurance'), { file: 'config.yaml' });
    expect(insurance.build).toMatchObject({ sign_key: 'private_key.pem', sign_certificate: 'sp-client.pem' });
    expect(insurance.publish).toEqual({
      url: 'aoscloud.io',
      tls_key: 'private_key.pem',
      tls_certificate: 'sp-client.pem',
    });
    expect(insurance.configuration.quotas).toEqual({ cpu: 50, mem: 100_000_000, storage: 10_000_000, temp: 32_000 });
    expect(insurance.configuration.resources).toEqual(['vis']);

    const kuksa = parseServiceConfig(readFixture('kuksa-test-client'), { file: 'config.yaml' });
    expect(kuksa.configuration.layers).toEqual([{ uid: 'aos-pylibs-layer' }]);
    expect(kuksa.configuration.cmd).toBe('python3 -u kuksa_test_client.py');

    const zephyr = parseServiceConfig(readFixture('monkey_zephyr'), { file: 'config.yaml' });
    expect(zephyr.build.arch).toBe('aarch64');
    expect(zephyr.configuration.runners).toEqual(['xrun']);
    expect(zephyr.configuration.env).toEqual([
      'RUNX_KERNEL=helloworld_xen-arm64',
      'RUNX_RAMDISK=',
      'PVCALLS_BACKEND=0',
    ]);
    expect(zephyr.configuration.quotas).toEqual({ mem: 8_000_000 });

    const unikernel = parseServiceConfig(readFixture('unikernel_pvcalls'), { file: 'config.yaml' });
    expect(unikernel.configuration.cmd).toBeUndefined();
  });
});
