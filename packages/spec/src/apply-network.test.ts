import { describe, expect, it } from 'vitest';
import { applyNetwork } from './apply-network.js';
import { defaultSpec } from './default-spec.js';
import { createSampleInput } from './testing/sample-input.js';

describe('applyNetwork', () => {
  it('joins the namespace the network manager prepared and binds the unit hosts file read-only', () => {
    const sample = createSampleInput();
    const input = {
      ...sample,
      instance: { ...sample.instance, networkNamespacePath: '/run/netns/openaos-x', hostsPath: '/s/network/hosts' },
    };
    const spec = applyNetwork(defaultSpec(), input);
    expect(spec.linux.namespaces.filter((namespace) => namespace.type === 'network')).toEqual([
      { type: 'network', path: '/run/netns/openaos-x' },
    ]);
    expect(spec.mounts.filter((mount) => mount.destination === '/etc/hosts')).toEqual([
      {
        destination: '/etc/hosts',
        type: 'bind',
        source: '/s/network/hosts',
        options: ['bind', 'ro', 'nosuid', 'nodev', 'noexec'],
      },
    ]);
  });

  it('gives a fresh namespace (loopback only) without one, and none with the unit’s hostNetwork', () => {
    const fresh = applyNetwork(defaultSpec(), createSampleInput());
    expect(fresh.linux.namespaces).toContainEqual({ type: 'network' });
    expect(fresh.mounts.some((mount) => mount.destination === '/etc/hosts')).toBe(false);
    const sample = createSampleInput();
    const shared = applyNetwork(defaultSpec(), { ...sample, unit: { ...sample.unit, hostNetwork: true } });
    expect(shared.linux.namespaces.some((namespace) => namespace.type === 'network')).toBe(false);
  });
});
