import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { PkiError } from './errors.js';

/** Parse a PEM certificate for forge, turning forge's raw UTF-8 bytes back into text. */
export function forgeCertificateFromPem(pem: string, what: string): forge.pki.Certificate {
  try {
    const certificate = forge.pki.certificateFromPem(pem);
    // forge keeps UTF8String values as raw bytes when parsing but encodes them again when
    // writing; decode them so reusing this subject as an issuer name does not double-encode.
    for (const attribute of certificate.subject.attributes) {
      if (attribute.valueTagClass === (forge.asn1.Type.UTF8 as never) && typeof attribute.value === 'string') {
        attribute.value = forge.util.decodeUtf8(attribute.value);
      }
    }
    return certificate;
  } catch (error) {
    throw new PkiError('bad-pem', `reading ${what}: not an RSA certificate in PEM form (${(error as Error).message})`, {
      cause: error,
    });
  }
}

export function forgePrivateKeyFromPem(pem: string, what: string): forge.pki.rsa.PrivateKey {
  try {
    return forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  } catch (error) {
    throw new PkiError('bad-pem', `reading ${what}: not an RSA private key in PEM form (${(error as Error).message})`, {
      cause: error,
    });
  }
}

export function forgeCertificateToNode(certificate: forge.pki.Certificate): X509Certificate {
  return new X509Certificate(
    Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(certificate)).getBytes(), 'binary'),
  );
}
