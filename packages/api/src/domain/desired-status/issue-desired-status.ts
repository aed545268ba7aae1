import { and, eq } from 'drizzle-orm';
import { schema } from '@openaos/db';
import { desiredStatusSchema, digestDesiredStatus, signDesiredStatus } from '@openaos/protocol/v7';
import type { CloudDependencies } from '../../dependencies.js';
import { computeDesiredStatus, type ComputedDesiredStatus } from './compute-desired-status.js';
import { ensureIndexBlob } from './index-blob.js';
import { loadDesiredStatusInputs } from './load-desired-status-inputs.js';

export interface IssuedDesiredStatus {
  generation: number;
  digest: string;
  /** The signed desiredStatus data, as stored and sent. */
  document: Record<string, unknown>;
  /** True when this call issued a new generation; false when the stored one is still current. */
  isNew: boolean;
}

/** How often a lost race for the next generation (another process issued meanwhile) is retried. */
const MAX_ATTEMPTS = 5;

/**
 * The unit's current desired status, issued if it changed: computed from the database, its
 * canonical digest compared with the last one issued; equal → the stored document is returned
 * (not re-issued); different → signed as generation + 1 with the cloud's desired-status signer and
 * stored. Two processes issuing at once cannot both take one generation (conditional write).
 * Versions whose image index is missing get it written first.
 */
export async function issueDesiredStatus(
  deps: Pick<CloudDependencies, 'db' | 'blobs' | 'authority' | 'now'>,
  unit: { id: string; systemId: string },
): Promise<IssuedDesiredStatus> {
  for (let attempt = 1; ; attempt++) {
    const computed = await computeForUnit(deps, unit.id);
    const digest = digestDesiredStatus(desiredStatusSchema.parse(computed.data));
    const [current] = await deps.db
      .select()
      .from(schema.unitDesiredStatuses)
      .where(eq(schema.unitDesiredStatuses.unitId, unit.id));
    if (current?.digest === digest) {
      return { generation: current.generation, digest, document: current.document, isNew: false };
    }
    const generation = (current?.generation ?? 0) + 1;
    const issuedAt = deps.now();
    const document = signDesiredStatus(computed.data, {
      systemId: unit.systemId,
      generation,
      credential: deps.authority.desiredStatusSigner,
      issuedAt,
    }) as unknown as Record<string, unknown>;
    const values = { generation, digest, document, issuedAt };
    const written = current
      ? await deps.db
          .update(schema.unitDesiredStatuses)
          .set(values)
          .where(
            and(
              eq(schema.unitDesiredStatuses.unitId, unit.id),
              eq(schema.unitDesiredStatuses.generation, current.generation),
            ),
          )
          .returning({ unitId: schema.unitDesiredStatuses.unitId })
      : await deps.db
          .insert(schema.unitDesiredStatuses)
          .values({ unitId: unit.id, ...values })
          .onConflictDoNothing()
          .returning({ unitId: schema.unitDesiredStatuses.unitId });
    if (written.length > 0) {
      await deps.db.insert(schema.unitStatusEvents).values({
        unitId: unit.id,
        at: issuedAt,
        kind: 'desired',
        state: 'issued',
        version: String(generation),
      });
      return { generation, digest, document, isNew: true };
    }
    if (attempt >= MAX_ATTEMPTS) {
      throw new Error(
        `issuing the desired status of unit ${unit.systemId}: other cloud processes kept issuing it meanwhile (${MAX_ATTEMPTS} attempts)`,
      );
    }
  }
}

async function computeForUnit(
  deps: Pick<CloudDependencies, 'db' | 'blobs'>,
  unitId: string,
): Promise<ComputedDesiredStatus> {
  const computed = computeDesiredStatus(await loadDesiredStatusInputs(deps.db, unitId));
  if (computed.missingIndex.length === 0) return computed;
  for (const versionId of computed.missingIndex) await ensureIndexBlob(deps, versionId);
  return computeDesiredStatus(await loadDesiredStatusInputs(deps.db, unitId));
}
