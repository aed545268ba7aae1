import { describe, expect, it } from 'vitest';
import { applyServiceConfig } from './apply-service-config.js';
import { defaultSpec } from './default-spec.js';
import { createSampleInput } from './testing/sample-input.js';

function apply(sysctl: Record<string, string>, hostNetwork = false) {
  return applyServiceConfig(
    defaultSpec(),
    createSampleInput({ serviceConfig: { sysctl }, unit: { cpuCount: 1, hostNetwork } }),
  );
}

describe('applyServiceConfig sysctls (what runc 1.1 accepts)', () => {
  it.each([
    { key: 'net.ipv4.ip_forward', hostNetwork: false },
    { key: 'kernel.shmmax', hostNetwork: true },
    { key: 'fs.mqueue.msg_max', hostNetwork: true },
    { key: 'kernel.domainname', hostNetwork: false },
  ])('accepts $key (hostNetwork $hostNetwork)', ({ key, hostNetwork }) => {
    expect(apply({ [key]: '1' }, hostNetwork).linux.sysctl).toEqual({ [key]: '1' });
  });

  it.each([
    { key: 'net.ipv4.ip_forward', hostNetwork: true },
    { key: 'vm.swappiness', hostNetwork: false },
    { key: 'kernel.hostname', hostNetwork: false },
    { key: 'not a sysctl', hostNetwork: false },
  ])('refuses $key (hostNetwork $hostNetwork)', ({ key, hostNetwork }) => {
    expect(() => apply({ [key]: '1' }, hostNetwork)).toThrow(expect.objectContaining({ code: 'invalid-sysctl' }));
  });

  it.each(['-bad', 'a'.repeat(64), 'under_score'])('refuses hostname %s', (hostname) => {
    expect(() =>
      applyServiceConfig(defaultSpec(), createSampleInput({ serviceConfig: { hostname }, unit: { cpuCount: 1 } })),
    ).toThrow(expect.objectContaining({ code: 'invalid-image-config' }));
  });
});
