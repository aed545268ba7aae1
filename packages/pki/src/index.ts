export { PkiError, type PkiErrorCode } from './errors.js';
export type { Credential, CertificateAuthority, UserRole, IssuedCredential } from './types.js';
export { createCertificateAuthority, type CreateCertificateAuthorityOptions } from './certificate-authority.js';
export {
  issueUserCredential,
  issueUnitCertificate,
  issueDesiredStatusSigner,
  isDesiredStatusSigner,
  roleLabel,
  roleFromLabel,
  ROLE_LABELS,
  UNIT_ORGANIZATIONAL_UNIT,
  DESIRED_STATUS_SIGNER_ORGANIZATIONAL_UNIT,
  type IssueUserCredentialOptions,
  type IssueDesiredStatusSignerOptions,
  type IssueUnitCertificateOptions,
} from './issue.js';
export { readPkcs12, writePkcs12 } from './pkcs12.js';
export { readPemCredential, readPemCertificates, loadCredential, toPem } from './pem.js';
export { aosKeyId } from './key-id.js';
export { signJws, decodeJws, verifyJws, readX5c, type DecodedJws } from './jws.js';
export { verifyCertificateChain } from './verify-chain.js';
export { describeSubject, certificateFingerprint, type SubjectSummary } from './subject.js';
export {
  createCertificateRequest,
  readCertificateRequest,
  issueUnitCertificateFromRequest,
  type CertificateRequest,
  type ReadCertificateRequest,
  type IssueUnitCertificateFromRequestOptions,
  type IssuedCertificate,
} from './certificate-request.js';
