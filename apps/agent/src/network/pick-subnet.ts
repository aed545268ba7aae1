import { runProgram } from '../run-program.js';

/** `a.b.c.d/len` → [first, last] as 32-bit numbers. */
function toRange(cidr: string): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)(?:\/(\d+))?$/.exec(cidr);
  if (!match) return undefined;
  const address = match.slice(1, 5).reduce((value, part) => value * 256 + Number(part), 0);
  const length = Number(match[5] ?? 32);
  const size = 2 ** (32 - length);
  const first = address - (address % size);
  return [first, first + size - 1];
}

function toText(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Destinations the host already routes (addresses and routes), as CIDR strings. */
export async function readRoutedPrefixes(): Promise<string[]> {
  const routes = await runProgram('ip', ['-4', '-o', 'route', 'show', 'table', 'all']).catch(() => '');
  return routes
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((first) => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(first));
}

/**
 * The first /24 of `pool` (a /16, e.g. `172.29.0.0/16`), searching from index `start` and
 * wrapping, that overlaps neither `taken` (this agent's networks) nor any prefix the host
 * already routes (another agent's bridge, a VPN): returns its index in the pool and its CIDR,
 * or undefined when the pool is full. Agents on one host start at different indexes (their
 * tag), so two picking at the same moment — before either bridge is routed — rarely collide.
 */
export function pickSubnet(
  pool: string,
  taken: readonly string[],
  routed: readonly string[],
  start = 0,
): { index: number; subnet: string; gateway: string } | undefined {
  const range = toRange(pool);
  if (!range) return undefined;
  const used = [...taken, ...routed]
    .filter((cidr) => !cidr.startsWith('0.0.0.0'))
    .map(toRange)
    .filter((entry) => entry !== undefined);
  const count = Math.min(256, Math.floor((range[1] - range[0] + 1) / 256));
  for (let step = 0; step < count; step += 1) {
    const index = (start + step) % count;
    const first = range[0] + index * 256;
    const last = first + 255;
    if (used.some(([from, to]) => from <= last && first <= to)) continue;
    return { index, subnet: `${toText(first)}/24`, gateway: toText(first + 1) };
  }
  return undefined;
}
