import { describe, expect, it } from 'vitest';
import { defaultConfigTemplate } from './default-config-template.js';
import { parseServiceConfig, validateServiceConfig } from './parse-service-config.js';
import { toImageConfig } from './translate-image-config.js';

const SERVICE_UID = '2efd1506-564e-40de-9466-66ae7a25fac0';

describe('defaultConfigTemplate', () => {
  it('parses without problems as written by aos init', () => {
    const { config, problems } = validateServiceConfig(defaultConfigTemplate(), { file: 'meta/config.yaml' });
    expect(problems).toEqual([]);
    expect(config?.build.sign_pkcs12).toBe('aos-user-sp.p12');
    expect(config?.configuration.cmd).toBe('python3 -u /hello.py');
    expect(config?.configuration.quotas).toEqual({ cpu: 50, mem: 64_000_000, temp: 8_000_000 });
  });

  it('asks for the service UID before signing, and validates for signing once it is there', () => {
    const problems = validateServiceConfig(defaultConfigTemplate(), {
      file: 'meta/config.yaml',
      forSigning: true,
    }).problems;
    expect(problems.map((problem) => problem.path)).toEqual(['publish.service_uid']);
    const config = parseServiceConfig(
      defaultConfigTemplate({ serviceUid: SERVICE_UID, url: 'cloud.example.org:8443' }),
      {
        file: 'meta/config.yaml',
        forSigning: true,
      },
    );
    expect(config.publish).toEqual({
      url: 'cloud.example.org:8443',
      service_uid: SERVICE_UID,
      tls_pkcs12: 'aos-user-sp.p12',
      version: '1.0.0',
    });
  });

  it('takes the command, quoting it for YAML when needed', () => {
    const text = defaultConfigTemplate({ serviceUid: SERVICE_UID, cmd: 'python3 -c "print(1)  # not a comment"' });
    const config = parseServiceConfig(text, { file: 'meta/config.yaml', forSigning: true });
    expect(toImageConfig(config, { created: '2026-01-01T00:00:00Z', diffIds: [] }).config.Cmd).toEqual([
      'python3',
      '-c',
      'print(1)  # not a comment',
    ]);
  });

  it('explains every configuration option, as aos-signer does', () => {
    const text = defaultConfigTemplate();
    for (const option of [
      'runners',
      'instances',
      'minInstances',
      'priority',
      'labels',
      'runParameters',
      'startInterval',
      'startBurst',
      'restartInterval',
      'offlineTTL',
      'downloadTTL',
      'env',
      'permissions',
      'devices',
      'resources',
      'hostname',
      'exposedPorts',
      'allowedConnections',
      'isResourceLimits',
      'requestedResources',
      'quotas',
      'alerts',
      'layers',
      'state',
      'balancingPolicy',
      'sign_key',
      'sign_certificate',
      'symlinks',
      'source_folder',
      'package_folder',
    ]) {
      expect(text).toMatch(new RegExp(`\\b${option}\\b`));
    }
  });
});
