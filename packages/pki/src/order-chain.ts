import type { X509Certificate } from 'node:crypto';

/**
 * Order certificates as a chain above `leaf`: the leaf's issuer first, then its issuer, and so on.
 * Certificates that do not belong to the path are kept, after it, in their original order.
 */
export function orderChain(leaf: X509Certificate, certificates: X509Certificate[]): X509Certificate[] {
  const remaining = [...certificates];
  const ordered: X509Certificate[] = [];
  let current = leaf;
  for (;;) {
    const index = remaining.findIndex((candidate) => current.checkIssued(candidate) && candidate !== current);
    const issuer = remaining[index];
    if (!issuer) break;
    ordered.push(issuer);
    remaining.splice(index, 1);
    if (issuer.checkIssued(issuer)) break; // reached a self-signed root
    current = issuer;
  }
  return [...ordered, ...remaining];
}
