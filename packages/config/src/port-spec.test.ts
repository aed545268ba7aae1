import { describe, expect, it } from 'vitest';
import { formatPortSpec, parsePortSpec } from './port-spec.js';

describe('parsePortSpec', () => {
  it.each([
    ['9000', { from: 9000, to: 9000 }, '9000/tcp'],
    ['1515/udp', { from: 1515, to: 1515, protocol: 'udp' }, '1515/udp'],
    ['8089-8090/tcp', { from: 8089, to: 8090, protocol: 'tcp' }, '8089-8090/tcp'],
    ['1-65535', { from: 1, to: 65535 }, '1-65535/tcp'],
  ] as const)('%s', (input, spec, canonical) => {
    expect(parsePortSpec(input)).toEqual(spec);
    expect(formatPortSpec(parsePortSpec(input) as never)).toBe(canonical);
  });

  it.each([
    ['80/tcp/x', 'more than one "/"'],
    ['53/sctp', 'protocol "sctp" is not tcp or udp'],
    ['http', '"http" is not a port number'],
    ['0', 'port 0 is outside 1-65535'],
    ['70000', 'port 70000 is outside 1-65535'],
    ['8090-8089', 'range start 8090 must be below its end 8089'],
    ['8080-8080', 'range start 8080 must be below its end 8080'],
    ['1-2-3', 'more than one "-"'],
    ['', 'is not a port number'],
  ])('refuses %j: %s', (input, reason) => {
    const result = parsePortSpec(input);
    expect(typeof result).toBe('string');
    expect(result).toContain(reason);
  });
});
