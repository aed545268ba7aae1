import { z } from 'zod';
import { CERTIFICATE_TYPES, dateTimeSchema, errorInfoSchema, messageFields } from './common.js';
import { aosIdentitySchema } from './identity.js';

const certificateType = z.enum(CERTIFICATE_TYPES);

/** A certificate of a node that is due for renewal. */
export const renewCertificateSchema = z.object({
  type: certificateType,
  node: aosIdentitySchema,
  serial: z.string().optional(),
  validTill: dateTimeSchema.optional(),
});

/** A node's secret (its TPM owner password). */
export const nodeSecretSchema = z.object({
  node: aosIdentitySchema,
  secret: z.string(),
});

/**
 * The unit secrets of a renewal, as AosEdge's schema has them: `version` 7 and one node secret.
 * (aos_core_cpp reads a string version and a list of nodes; the schema is followed here.)
 */
export const unitSecretsSchema = z.object({
  version: z.literal(7),
  nodes: nodeSecretSchema.nullish(),
});

/** renewCertificatesNotification (cloud → unit): these certificates expire; the unit answers with `issueUnitCertificates`. */
export const renewCertificatesNotificationSchema = z.object({
  ...messageFields('renewCertificatesNotification'),
  certificates: z.array(renewCertificateSchema),
  unitSecrets: unitSecretsSchema,
});

/** A certificate signing request of one node. */
export const issueCertificateRequestSchema = z.object({
  type: certificateType,
  node: aosIdentitySchema,
  /** PEM. */
  csr: z.string(),
});

/** issueUnitCertificates (unit → cloud): please issue certificates for these CSRs. */
export const issueUnitCertificatesSchema = z.object({
  ...messageFields('issueUnitCertificates'),
  requests: z.array(issueCertificateRequestSchema),
});

/** An issued certificate chain (PEM). */
export const issuedUnitCertificateSchema = z.object({
  type: certificateType,
  node: aosIdentitySchema,
  certificateChain: z.string(),
});

/** issuedUnitCertificates (cloud → unit): the certificates issued; the unit answers with `installUnitCertificatesConfirmation`. */
export const issuedUnitCertificatesSchema = z.object({
  ...messageFields('issuedUnitCertificates'),
  certificates: z.array(issuedUnitCertificateSchema),
});

/** Whether one issued certificate was installed. */
export const installedCertificateSchema = z.object({
  type: certificateType,
  node: aosIdentitySchema,
  serial: z.string(),
  errorInfo: errorInfoSchema.optional(),
});

/** installUnitCertificatesConfirmation (unit → cloud). */
export const installUnitCertificatesConfirmationSchema = z.object({
  ...messageFields('installUnitCertificatesConfirmation'),
  certificates: z.array(installedCertificateSchema),
});
export type RenewCertificatesNotification = z.infer<typeof renewCertificatesNotificationSchema>;
export type IssueUnitCertificates = z.infer<typeof issueUnitCertificatesSchema>;
export type IssuedUnitCertificates = z.infer<typeof issuedUnitCertificatesSchema>;
export type InstallUnitCertificatesConfirmation = z.infer<typeof installUnitCertificatesConfirmationSchema>;
