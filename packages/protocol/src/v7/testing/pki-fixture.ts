import { X509Certificate } from 'node:crypto';
import {
  createCertificateAuthority,
  issueDesiredStatusSigner,
  issueUnitCertificate,
  readPemCredential,
  type CertificateAuthority,
  type Credential,
} from '@openaos/pki';

/** A cloud PKI for tests: root → issuing CA → desired-status signer, plus look-alikes that must be refused. */
export interface PkiFixture {
  root: CertificateAuthority;
  rootCertificate: X509Certificate;
  signer: Credential;
  /** A unit certificate of the same issuing CA: trusted chain, wrong role. */
  unitCredential: Credential;
  /** A signer issued by another root. */
  foreignSigner: Credential;
}

let fixture: PkiFixture | undefined;

/** Built once per test file (RSA keys take a moment). */
export function loadPkiFixture(): PkiFixture {
  if (fixture) return fixture;
  const root = createCertificateAuthority({ commonName: 'Test Cloud Root CA', organization: 'cloud.test' });
  const issuing = createCertificateAuthority({
    commonName: 'Test Cloud Issuing CA',
    organization: 'cloud.test',
    issuer: root,
  });
  const foreignRoot = createCertificateAuthority({ commonName: 'Elsewhere Root CA', organization: 'elsewhere.test' });
  const toCredential = (issued: { privateKeyPem: string; certificatePem: string; chainPem: string[] }): Credential =>
    readPemCredential(issued.privateKeyPem, [issued.certificatePem, ...issued.chainPem].join('\n'));
  fixture = {
    root,
    rootCertificate: new X509Certificate(root.certificatePem),
    signer: toCredential(issueDesiredStatusSigner(issuing)),
    unitCredential: toCredential(issueUnitCertificate(issuing, { systemId: 'unit-test-1' })),
    foreignSigner: toCredential(issueDesiredStatusSigner(foreignRoot)),
  };
  return fixture;
}
