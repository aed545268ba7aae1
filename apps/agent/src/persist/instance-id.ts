import { createHash } from 'node:crypto';

/** RFC 4122 OID namespace, as Poco's NameUUID uses (reference §4.3). */
const OID_NAMESPACE = Buffer.from('6ba7b8129dad11d180b400c04fd430c8', 'hex');

/**
 * The instance ID of `(serviceId, subjectId, index)`: a name-based UUID (v5, SHA-1) of
 * `"<serviceId>:<subjectId>:<index>"`, like the C++ Service Manager. Deterministic, so a
 * restarted agent finds its containers without a lookup table.
 */
export function createInstanceId(serviceId: string, subjectId: string, index: number): string {
  const hash = createHash('sha1').update(OID_NAMESPACE).update(`${serviceId}:${subjectId}:${index}`).digest();
  const bytes = hash.subarray(0, 16);
  // Version 5 and the RFC 4122 variant; a SHA-1 digest always has these bytes.
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
