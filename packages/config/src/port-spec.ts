/** A parsed port or port range with an optional protocol ("8089-8090/tcp", "9000", "1515/udp"). */
export interface PortSpec {
  from: number;
  to: number;
  protocol?: 'tcp' | 'udp';
}

/**
 * Parse "port[-port][/tcp|udp]" with aos-signer's rules: at most one "/", protocol tcp or
 * udp, numeric ports (1–65535 here), and a range's start below its end.
 * Returns a reason string when invalid.
 */
export function parsePortSpec(text: string): PortSpec | string {
  const parts = text.split('/');
  if (parts.length > 2) return 'has more than one "/"';
  const [ports = '', protocol] = parts;
  if (protocol !== undefined && protocol !== 'tcp' && protocol !== 'udp') {
    return `protocol "${protocol}" is not tcp or udp`;
  }
  const range = parsePortRange(ports);
  if (typeof range === 'string') return range;
  return protocol === undefined ? range : { ...range, protocol };
}

/** Parse "port" or "from-to"; returns a reason string when invalid. */
export function parsePortRange(text: string): { from: number; to: number } | string {
  const bounds = text.split('-');
  if (bounds.length > 2) return `"${text}" has more than one "-"`;
  const numbers: number[] = [];
  for (const bound of bounds) {
    if (!/^\d{1,5}$/.test(bound)) return `"${bound}" is not a port number`;
    const port = Number(bound);
    if (port < 1 || port > 65535) return `port ${port} is outside 1-65535`;
    numbers.push(port);
  }
  const [from = 0, to = from] = numbers;
  if (bounds.length === 2 && from >= to) return `the range start ${from} must be below its end ${to}`;
  return { from, to };
}

/** Canonical "from[-to]/protocol" with tcp as the default protocol. */
export function formatPortSpec(spec: PortSpec): string {
  const ports = spec.from === spec.to ? String(spec.from) : `${spec.from}-${spec.to}`;
  return `${ports}/${spec.protocol ?? 'tcp'}`;
}
