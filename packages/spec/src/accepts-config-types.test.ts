import type { AosServiceConfig, OciImageConfig } from '@openaos/config';
import { describe, expect, it } from 'vitest';
import { generateRuntimeSpec } from './generate-runtime-spec.js';
import { createSampleInput } from './testing/sample-input.js';
import { listSchemaProblems } from './testing/validate-runtime-spec.js';

describe('inputs typed by @openaos/config', () => {
  it('takes the parsed OciImageConfig and AosServiceConfig as they are', () => {
    // Typed as the config package types them: this file stops compiling if they drift apart.
    const imageConfig: OciImageConfig = {
      created: '2026-11-25T00:00:00Z',
      architecture: 'arm64',
      os: 'linux',
      config: { Cmd: ['/usr/bin/app'], Env: ['MODE=prod'], ExposedPorts: { '8080/tcp': {} } },
      rootfs: { type: 'layers', diff_ids: ['sha256:' + '0'.repeat(64)] },
    };
    const serviceConfig: AosServiceConfig = {
      created: '2026-11-25T00:00:00Z',
      author: 'Aos Cloud',
      skipResourceLimits: false,
      balancingPolicy: 'enabled',
      runners: ['runc'],
      quotas: { cpuLimit: 25, ramLimit: 32 * 1024 * 1024, storageLimit: 1024, uploadSpeed: 100 },
      alertRules: { ram: { minTimeout: 'PT1M', minThreshold: 10, maxThreshold: 90 } },
    };
    const spec = generateRuntimeSpec({
      ...createSampleInput(),
      imageConfig,
      serviceConfig,
      unit: { cpuCount: 4, architecture: 'arm64' },
    });
    expect(listSchemaProblems(spec)).toEqual([]);
    expect(spec.linux.resources.cpu).toEqual({ quota: 100_000, period: 100_000 }); // 25 % of 4 cores
    expect(spec.process.args).toEqual(['/usr/bin/app']);
  });
});
