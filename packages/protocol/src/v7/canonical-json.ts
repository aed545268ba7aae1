import { createHash } from 'node:crypto';

/**
 * JSON text with object keys sorted (by UTF-16 code units, as JavaScript sorts strings) and no
 * whitespace; numbers and strings as JSON.stringify writes them. For JSON data this is RFC 8785
 * (JCS). Properties whose value is undefined are left out, as JSON.stringify does, so an object
 * and its JSON round trip give the same text.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((element: unknown) => (element === undefined ? 'null' : canonicalJson(element))).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** `sha256:<hex>` of the canonical JSON of `value`. */
export function digestCanonicalJson(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex')}`;
}
