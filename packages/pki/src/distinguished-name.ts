import type { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { PkiError } from './errors.js';

/** One attribute of a relative distinguished name, in certificate (DER) order. */
export interface NameAttribute {
  oid: string;
  value: string;
}

/** Short names Python's `cryptography` prints in `rfc4514_string()`; other OIDs print dotted. */
const RFC4514_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

const { Type } = forge.asn1;

interface ParsedTbs {
  serial: Buffer;
  issuer: NameAttribute[][];
  subject: NameAttribute[][];
}

/**
 * Read the serial number and the issuer/subject names straight from the DER, so the result does
 * not depend on how OpenSSL prints names (node's `issuer` is OpenSSL's multi-line form, which
 * loses the RDN structure and escapes differently from RFC 4514).
 */
export function parseCertificateNames(certificate: X509Certificate): ParsedTbs {
  try {
    // @types/node-forge only knows the boolean `strict` argument; forge also takes an options object.
    const fromDer = forge.asn1.fromDer as unknown as (
      input: forge.util.ByteStringBuffer,
      options: object,
    ) => forge.asn1.Asn1;
    const root = fromDer(forge.util.createBuffer(certificate.raw.toString('binary')), { decodeBitStrings: false });
    const tbs = childrenOf(root)[0];
    if (!tbs) throw new Error('no tbsCertificate');
    const fields = childrenOf(tbs);
    // An explicit [0] version tag comes first in v2/v3 certificates.
    const offset = fields[0]?.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
    const serial = fields[offset];
    const issuer = fields[offset + 2];
    const subject = fields[offset + 4];
    if (!serial || !issuer || !subject || typeof serial.value !== 'string') {
      throw new Error('tbsCertificate is missing serial, issuer or subject');
    }
    return { serial: Buffer.from(serial.value, 'binary'), issuer: readName(issuer), subject: readName(subject) };
  } catch (error) {
    throw new PkiError('bad-certificate', `reading certificate names: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function childrenOf(node: forge.asn1.Asn1): forge.asn1.Asn1[] {
  if (!Array.isArray(node.value)) throw new Error('expected a constructed ASN.1 value');
  return node.value;
}

function readName(name: forge.asn1.Asn1): NameAttribute[][] {
  return childrenOf(name).map((rdn) =>
    childrenOf(rdn).map((attribute) => {
      const [oidNode, valueNode] = childrenOf(attribute);
      if (!oidNode || !valueNode || typeof oidNode.value !== 'string') {
        throw new Error('malformed name attribute');
      }
      return { oid: forge.asn1.derToOid(oidNode.value), value: decodeString(valueNode) };
    }),
  );
}

function decodeString(node: forge.asn1.Asn1): string {
  if (typeof node.value !== 'string') throw new Error('constructed string values are not supported');
  const bytes = Buffer.from(node.value, 'binary');
  switch (node.type as number) {
    case Type.UTF8:
      return bytes.toString('utf8');
    case Type.BMPSTRING:
      return Buffer.from(bytes).swap16().toString('utf16le');
    case 28 /* UniversalString */:
      return decodeUtf32BigEndian(bytes);
    case Type.BITSTRING:
      // cryptography renders non-string values as "#" + hex (RFC 4514 §2.4); drop the unused-bits byte.
      return `#${bytes.subarray(1).toString('hex')}`;
    default:
      // PrintableString, IA5String, NumericString, VisibleString, T61String (read as Latin-1).
      return bytes.toString('latin1');
  }
}

function decodeUtf32BigEndian(bytes: Buffer): string {
  let text = '';
  for (let index = 0; index + 3 < bytes.length; index += 4) text += String.fromCodePoint(bytes.readUInt32BE(index));
  return text;
}

/** Escape a value as Python's cryptography `_escape_dn_value` does (RFC 4514 §2.4). */
export function escapeRfc4514Value(value: string): string {
  if (value === '') return '';
  if (value.startsWith('#') && /^#[0-9a-f]*$/.test(value)) return value; // already a hex-encoded value
  let escaped = value
    .replaceAll('\\', '\\\\')
    .replaceAll('"', '\\"')
    .replaceAll('+', '\\+')
    .replaceAll(',', '\\,')
    .replaceAll(';', '\\;')
    .replaceAll('<', '\\<')
    .replaceAll('>', '\\>')
    .replaceAll('\0', '\\00');
  if (escaped.startsWith('#') || escaped.startsWith(' ')) escaped = `\\${escaped}`;
  if (escaped.endsWith(' ')) escaped = `${escaped.slice(0, -1)}\\ `;
  return escaped;
}

/**
 * A name as RFC 4514 text, exactly as Python's `cryptography` `Name.rfc4514_string()` prints it:
 * RDNs in reverse DER order joined by ",", multi-valued RDNs joined by "+".
 */
export function formatRfc4514(name: NameAttribute[][]): string {
  return [...name]
    .reverse()
    .map((rdn) =>
      rdn
        .map((attribute) => `${RFC4514_NAMES[attribute.oid] ?? attribute.oid}=${escapeRfc4514Value(attribute.value)}`)
        .join('+'),
    )
    .join(',');
}

/** First value of an attribute (by OID) in a parsed name. */
export function findAttribute(name: NameAttribute[][], oid: string): string | undefined {
  for (const rdn of name) for (const attribute of rdn) if (attribute.oid === oid) return attribute.value;
  return undefined;
}
