import { parseServiceConfig, toImageConfig, toServiceConfigJson } from '@openaos/config';
import { describe, expect, it } from 'vitest';
import { generateRuntimeSpec } from './generate-runtime-spec.js';
import { createSampleInput } from './testing/sample-input.js';
import { listSchemaProblems } from './testing/validate-runtime-spec.js';

// A service as its developer writes it (meta/config.yaml), through the config package's
// translations, to the spec: the chain the cloud and the agent run.
const CONFIG_YAML = `publish: {service_uid: 3f1b8c2e-0c57-4d4c-9a35-6f6d4b7d9e21, version: "1.0.0"}
build: {arch: x86}
configuration:
    cmd: python3 -u /usr/bin/services/hello_world.py
    workingDir: /usr/bin/services
    env: [GREETING=hello]
    hostname: hello
    quotas: {cpu: 50, mem: 64MB, temp: 32kB, state: 64KB, storage: 1MiB}
`;

describe('meta/config.yaml → image + service config → runtime spec', () => {
  it('gives a schema-valid spec carrying the developer settings', () => {
    const config = parseServiceConfig(CONFIG_YAML, { file: 'meta/config.yaml' });
    const imageConfig = toImageConfig(config, {
      created: '2026-11-25T12:00:00Z',
      diffIds: ['sha256:' + 'a'.repeat(64)],
    });
    const serviceConfig = toServiceConfigJson(config, { created: '2026-11-25T12:00:00Z' });
    const spec = generateRuntimeSpec({ ...createSampleInput(), imageConfig, serviceConfig, unit: { cpuCount: 2 } });
    expect(listSchemaProblems(spec)).toEqual([]);
    expect(spec.process.args).toEqual(['python3', '-u', '/usr/bin/services/hello_world.py']);
    expect(spec.process.cwd).toBe('/usr/bin/services');
    expect(spec.process.env).toContain('GREETING=hello');
    expect(spec.hostname).toBe('hello');
    // cpu 50 is read as a percent of the unit (cpuLimit): half of 2 cores.
    expect(spec.linux.resources.cpu).toEqual({ quota: 100_000, period: 100_000 });
    expect(spec.linux.resources.memory).toEqual({ limit: 64_000_000, swap: 64_000_000 });
    expect(spec.mounts.find((mount) => mount.destination === '/tmp')?.options).toContain('size=32000');
  });
});
