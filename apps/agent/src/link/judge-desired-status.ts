import type { X509Certificate } from 'node:crypto';
import {
  verifyDesiredStatus,
  type AppliedDesiredStatus,
  type DesiredStatus,
  type DesiredStatusRefusalCode,
} from '@openaos/protocol/v7';

export type DesiredStatusJudgement =
  | { kind: 'apply'; desiredStatus: DesiredStatus; applied: AppliedDesiredStatus }
  /** The very status applied last (same generation, same digest): acked and ignored. */
  | { kind: 'resent'; applied: AppliedDesiredStatus }
  | { kind: 'refuse'; code: DesiredStatusRefusalCode; message: string };

/**
 * What to do with a received desired status (`rawData`, as received): apply it, ignore a resend,
 * or refuse it — unsigned, a signer that does not chain to the stored CA or is not a
 * desired-status signer, another unit's, altered, older than the applied generation, or the
 * applied generation with other content. Downgrades without `isRollback` are refused later, per
 * service, by the reconciler (reconcile/find-refused-downgrade.ts). Pure given its inputs.
 */
export function judgeDesiredStatus(
  rawData: unknown,
  options: { systemId: string; trustedCa: X509Certificate[]; lastApplied?: AppliedDesiredStatus; now?: Date },
): DesiredStatusJudgement {
  const verified = verifyDesiredStatus(rawData, {
    systemId: options.systemId,
    trustedCa: options.trustedCa,
    ...(options.lastApplied ? { lastApplied: options.lastApplied } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  if (!verified.ok) return { kind: 'refuse', code: verified.code, message: verified.message };
  const applied = { generation: verified.generation, digest: verified.digest };
  if (verified.isAlreadyApplied) return { kind: 'resent', applied };
  return { kind: 'apply', desiredStatus: verified.desiredStatus, applied };
}
