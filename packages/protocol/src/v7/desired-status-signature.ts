import { X509Certificate } from 'node:crypto';
import {
  decodeJws,
  isDesiredStatusSigner,
  readPemCertificates,
  readX5c,
  signJws,
  verifyCertificateChain,
  verifyJws,
  type Credential,
} from '@openaos/pki';
import { z } from 'zod';
import { ProtocolError } from '../errors.js';
import { dateTimeSchema, sha256DigestSchema } from './common.js';
import { describeIssues } from './describe-issues.js';
import { desiredStatusSchema, type DesiredStatus } from './desired-status.js';
import { digestCanonicalJson } from './canonical-json.js';
import type { MessageInput } from './catalog.js';

/**
 * The payload of a desired-status signature (OpenAos extension, docs/protocol.md): which unit,
 * which generation of its desired status, when, and the digest of the data it covers.
 */
export const desiredStatusSignaturePayloadSchema = z.object({
  systemId: z.string().min(1),
  /** Counts up by one for every new desired status of this unit; never reused. */
  generation: z.int().positive(),
  issuedAt: dateTimeSchema,
  /** sha256 of the canonical JSON (RFC 8785) of the desiredStatus data without `signature`. */
  digest: sha256DigestSchema,
});
export type DesiredStatusSignaturePayload = z.infer<typeof desiredStatusSignaturePayloadSchema>;

/** The digest a desired-status signature covers: the data as sent, `signature` left out. */
export function digestDesiredStatus(data: object): string {
  const { signature: _signature, ...covered } = data as Record<string, unknown>;
  return digestCanonicalJson(covered);
}

export interface SignDesiredStatusOptions {
  systemId: string;
  /** This unit's generation counter, one more than the last desired status it was sent. */
  generation: number;
  /** The cloud's desired-status signer (pki `issueDesiredStatusSigner`), chain included. */
  credential: Credential;
  /** Default: now. */
  issuedAt?: Date;
}

/**
 * Sign a desired status for one unit. The data is parsed first (defaults filled in, unknown
 * fields dropped) so that what is signed is exactly what `createEnvelope` will send; the result
 * carries `signature`, a compact RS256 JWS with the signer's chain in `x5c`. Throws ProtocolError
 * (`invalid-message`) on invalid data.
 */
export function signDesiredStatus(
  data: MessageInput<'desiredStatus'>,
  options: SignDesiredStatusOptions,
): DesiredStatus {
  const parsed = desiredStatusSchema.safeParse(data);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error, 'data');
    throw new ProtocolError('invalid-message', `signing desiredStatus: ${issues.join('; ')}`, {
      messageType: 'desiredStatus',
      issues,
    });
  }
  const { signature: _previous, ...unsigned } = parsed.data;
  const payload: DesiredStatusSignaturePayload = desiredStatusSignaturePayloadSchema.parse({
    systemId: options.systemId,
    generation: options.generation,
    issuedAt: (options.issuedAt ?? new Date()).toISOString(),
    digest: digestDesiredStatus(unsigned),
  });
  return { ...unsigned, signature: signJws(payload, options.credential) };
}

/** Why a unit refuses a desired status. */
export type DesiredStatusRefusalCode =
  | 'malformed'
  | 'bad-signature'
  | 'untrusted-signer'
  | 'wrong-unit'
  | 'replayed'
  | 'conflicting';

/** What the unit applied last: the generation and digest of a verified desired status. */
export interface AppliedDesiredStatus {
  generation: number;
  digest: string;
}

export interface VerifyDesiredStatusOptions {
  /** This unit's systemId. */
  systemId: string;
  /** The CA certificate(s) the unit stored at provisioning: X509Certificate(s) or PEM text. */
  trustedCa: X509Certificate | string | ReadonlyArray<X509Certificate | string>;
  /** The last desired status applied; absent on a unit that has applied none. */
  lastApplied?: AppliedDesiredStatus;
  /** When to check the certificates' validity. Default: now. */
  now?: Date;
}

export type VerifyDesiredStatusResult =
  | {
      ok: true;
      /** The parsed desired status, `signature` included. */
      desiredStatus: DesiredStatus;
      generation: number;
      digest: string;
      issuedAt: string;
      /** True when it is the very desired status applied last (same generation and digest): nothing to do. */
      isAlreadyApplied: boolean;
    }
  | { ok: false; code: DesiredStatusRefusalCode; message: string };

/**
 * Check a received desired status before acting on it. Pass the data **as received**
 * (`rawData` of parseEnvelope or of a channel handler's context): the digest covers every field
 * the cloud sent, including ones this version does not know. Checks, in order: shape; signer
 * chain to `trustedCa` and the desired-status-signer role; the JWS signature; the unit; the
 * digest; then the generation against `lastApplied` (older: `replayed`; same generation with
 * other content: `conflicting`). Never throws.
 */
export function verifyDesiredStatus(data: unknown, options: VerifyDesiredStatusOptions): VerifyDesiredStatusResult {
  try {
    return verifyOrRefuse(data, options);
  } catch (error) {
    // Every expected failure is returned; this catches a PkiError from a malformed certificate or token.
    return refuse('malformed', `verifying desiredStatus: ${(error as Error).message}`);
  }
}

function verifyOrRefuse(data: unknown, options: VerifyDesiredStatusOptions): VerifyDesiredStatusResult {
  const parsed = desiredStatusSchema.safeParse(data);
  if (!parsed.success) {
    return refuse('malformed', `verifying desiredStatus: ${describeIssues(parsed.error, 'data').join('; ')}`);
  }
  const token = parsed.data.signature;
  if (token === undefined) {
    return refuse(
      'malformed',
      'verifying desiredStatus: it carries no signature; the cloud must sign every desired status',
    );
  }
  const decoded = decodeJws(token);
  const [signer, ...intermediates] = readX5c(decoded.header);
  if (signer === undefined) {
    return refuse('malformed', 'verifying desiredStatus: the signature has no x5c certificate chain');
  }
  const trust = checkSigner(signer, intermediates, options);
  if (trust !== undefined) return trust;
  let payloadValue: unknown;
  try {
    payloadValue = verifyJws(token, signer);
  } catch (error) {
    return refuse('bad-signature', `verifying desiredStatus: ${(error as Error).message}`);
  }
  const payload = desiredStatusSignaturePayloadSchema.safeParse(payloadValue);
  if (!payload.success) {
    return refuse(
      'malformed',
      `verifying desiredStatus: signature payload ${describeIssues(payload.error).join('; ')}`,
    );
  }
  if (payload.data.systemId !== options.systemId) {
    return refuse(
      'wrong-unit',
      `verifying desiredStatus: it was signed for unit ${JSON.stringify(payload.data.systemId)}, this is ${JSON.stringify(options.systemId)}`,
    );
  }
  const digest = digestDesiredStatus(data as object);
  if (digest !== payload.data.digest) {
    return refuse(
      'bad-signature',
      'verifying desiredStatus: its content does not match the signed digest (altered on the way?)',
    );
  }
  return checkGeneration(parsed.data, payload.data, options.lastApplied);
}

function checkSigner(
  signer: X509Certificate,
  intermediates: X509Certificate[],
  options: VerifyDesiredStatusOptions,
): VerifyDesiredStatusResult | undefined {
  try {
    verifyCertificateChain(signer, intermediates, readTrustedCa(options.trustedCa), options.now ?? new Date());
  } catch (error) {
    return refuse('untrusted-signer', `verifying desiredStatus signer: ${(error as Error).message}`);
  }
  if (!isDesiredStatusSigner(signer)) {
    return refuse(
      'untrusted-signer',
      `verifying desiredStatus signer: "${signer.subject.replaceAll('\n', ', ')}" is not a desired-status signer (OU=Desired Status Signer)`,
    );
  }
  return undefined;
}

function checkGeneration(
  desiredStatus: DesiredStatus,
  payload: DesiredStatusSignaturePayload,
  lastApplied: AppliedDesiredStatus | undefined,
): VerifyDesiredStatusResult {
  const { generation, digest, issuedAt } = payload;
  if (lastApplied !== undefined && generation < lastApplied.generation) {
    return refuse(
      'replayed',
      `verifying desiredStatus: generation ${generation} is older than the applied generation ${lastApplied.generation}`,
    );
  }
  if (lastApplied !== undefined && generation === lastApplied.generation && digest !== lastApplied.digest) {
    return refuse(
      'conflicting',
      `verifying desiredStatus: generation ${generation} was applied with other content (${lastApplied.digest})`,
    );
  }
  const isAlreadyApplied = lastApplied !== undefined && generation === lastApplied.generation;
  return { ok: true, desiredStatus, generation, digest, issuedAt, isAlreadyApplied };
}

function readTrustedCa(trusted: VerifyDesiredStatusOptions['trustedCa']): X509Certificate[] {
  const list: ReadonlyArray<X509Certificate | string> = Array.isArray(trusted) ? trusted : [trusted];
  return list.flatMap((entry) => (typeof entry === 'string' ? readPemCertificates(entry) : [entry]));
}

function refuse(code: DesiredStatusRefusalCode, message: string): VerifyDesiredStatusResult {
  return { ok: false, code, message };
}
