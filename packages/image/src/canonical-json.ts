/**
 * Serialise JSON deterministically: object keys sorted (by UTF-16 code units, as
 * Array.prototype.sort does), no whitespace, array order kept, undefined members dropped.
 * Digests of our JSON blobs then depend only on their content, not on how objects were built.
 */
export function serializeCanonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)));
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) sorted[key] = sortKeys(member);
  }
  return sorted;
}
