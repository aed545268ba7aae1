import { z } from 'zod';
import { errorInfoSchema, messageFields } from './common.js';
import { aosIdentitySchema } from './identity.js';

/** A certificate signing request (PEM) of one certificate type (`online`, `offline`…). */
export const csrSchema = z.object({
  type: z.string(),
  csr: z.string(),
});

/** An issued chain (PEM) for one certificate type. */
export const issuedCertificateSchema = z.object({
  type: z.string(),
  chain: z.string(),
});

/** startProvisioningRequest (cloud → unit): begin provisioning a node; answered by `startProvisioningResponse` with its CSRs. */
export const startProvisioningRequestSchema = z.object({
  ...messageFields('startProvisioningRequest'),
  node: aosIdentitySchema,
  /** The node's TPM owner (security officer) password. */
  password: z.string(),
});

/** startProvisioningResponse (unit → cloud). */
export const startProvisioningResponseSchema = z.object({
  ...messageFields('startProvisioningResponse'),
  node: aosIdentitySchema,
  errorInfo: errorInfoSchema.optional(),
  csrs: z.array(csrSchema),
});

/** finishProvisioningRequest (cloud → unit): install these certificates; answered by `finishProvisioningResponse`. */
export const finishProvisioningRequestSchema = z.object({
  ...messageFields('finishProvisioningRequest'),
  node: aosIdentitySchema,
  certificates: z.array(issuedCertificateSchema),
  password: z.string(),
});

/** finishProvisioningResponse (unit → cloud). */
export const finishProvisioningResponseSchema = z.object({
  ...messageFields('finishProvisioningResponse'),
  node: aosIdentitySchema,
  errorInfo: errorInfoSchema.optional(),
});

/** deprovisioningRequest (cloud → unit): forget this node's certificates; answered by `deprovisioningResponse`. */
export const deprovisioningRequestSchema = z.object({
  ...messageFields('deprovisioningRequest'),
  node: aosIdentitySchema,
  password: z.string(),
});

/** deprovisioningResponse (unit → cloud). */
export const deprovisioningResponseSchema = z.object({
  ...messageFields('deprovisioningResponse'),
  node: aosIdentitySchema,
  errorInfo: errorInfoSchema.optional(),
});
export type StartProvisioningRequest = z.infer<typeof startProvisioningRequestSchema>;
export type StartProvisioningResponse = z.infer<typeof startProvisioningResponseSchema>;
export type FinishProvisioningRequest = z.infer<typeof finishProvisioningRequestSchema>;
export type FinishProvisioningResponse = z.infer<typeof finishProvisioningResponseSchema>;
export type DeprovisioningRequest = z.infer<typeof deprovisioningRequestSchema>;
export type DeprovisioningResponse = z.infer<typeof deprovisioningResponseSchema>;
