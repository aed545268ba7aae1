import { describe, expect, it } from 'vitest';
import { pickSubnet } from './pick-subnet.js';

describe('pickSubnet', () => {
  it('takes the first /24 of the pool that nothing uses', () => {
    expect(pickSubnet('172.29.0.0/16', [], [])).toEqual({ index: 0, subnet: '172.29.0.0/24', gateway: '172.29.0.1' });
  });

  it('skips subnets of this agent and prefixes the host routes', () => {
    expect(pickSubnet('172.29.0.0/16', ['172.29.0.0/24'], ['172.29.1.0/24', '10.0.0.0/8', '172.29.2.7'])).toEqual({
      index: 3,
      subnet: '172.29.3.0/24',
      gateway: '172.29.3.1',
    });
  });

  it('ignores the default route and finds nothing in a pool covered by a wider route', () => {
    expect(pickSubnet('172.29.0.0/16', [], ['0.0.0.0/0'])?.index).toBe(0);
    expect(pickSubnet('172.29.0.0/16', [], ['172.16.0.0/12'])).toBeUndefined();
  });

  it('starts from the given index and wraps around', () => {
    expect(pickSubnet('172.29.0.0/16', ['172.29.255.0/24'], [], 255)?.subnet).toBe('172.29.0.0/24');
    expect(pickSubnet('172.29.0.0/16', [], [], 7)?.subnet).toBe('172.29.7.0/24');
  });
});
