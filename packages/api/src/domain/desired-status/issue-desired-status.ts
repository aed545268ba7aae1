import { sql } from 'drizzle-orm';
import { schema } from '@openaos/db';
import { desiredStatusSchema, digestDesiredStatus, signDesiredStatus } from '@openaos/protocol/v7';
import type { CloudDependencies } from '../../dependencies.js';
import { computeDesiredStatus, type ComputedDesiredStatus } from './compute-desired-status.js';
import { ensureIndexBlob } from './index-blob.js';
import { loadDesiredStatusInputsOf, type LoadedUnitInputs } from './load-desired-status-inputs.js';
import { inSlices } from '../util.js';

export interface IssuedDesiredStatus {
  generation: number;
  digest: string;
  /** The signed desiredStatus data, as stored and sent. */
  document: Record<string, unknown>;
  /** True when this call issued a new generation; false when the stored one is still current. */
  isNew: boolean;
}

type Deps = Pick<CloudDependencies, 'db' | 'blobs' | 'authority' | 'now'>;
type UnitRef = { id: string; systemId: string };

/** How often a lost race for the next generation (another process issued meanwhile) is retried. */
const MAX_ATTEMPTS = 5;

/**
 * The unit's current desired status, issued if it changed: computed from the database, its
 * canonical digest compared with the last one issued; equal → the stored document is returned
 * (not re-issued); different → signed as generation + 1 with the cloud's desired-status signer and
 * stored. Two processes issuing at once cannot both take one generation (conditional write).
 * Versions whose image index is missing get it written first. One unit of
 * {@link issueDesiredStatuses}.
 */
export async function issueDesiredStatus(deps: Deps, unit: UnitRef): Promise<IssuedDesiredStatus> {
  const issued = (await issueDesiredStatuses(deps, [unit])).get(unit.id);
  if (!issued) throw new Error(`issuing the desired status of unit ${unit.systemId}: nothing was issued`);
  if (issued instanceof Error) throw issued;
  return issued;
}

/**
 * {@link issueDesiredStatus} for many units at once, set-based: their inputs are loaded in a
 * handful of queries (loadDesiredStatusInputsOf), the changed ones signed and written in one
 * multi-row conditional update and one insert, with one multi-row insert of their `desired` history
 * rows. Units that lost a race with another process are retried together. Returns, per unit id,
 * the issued status or the error that unit got (one unit's failure does not fail the others).
 */
export async function issueDesiredStatuses(
  deps: Deps,
  units: readonly UnitRef[],
): Promise<Map<string, IssuedDesiredStatus | Error>> {
  const results = new Map<string, IssuedDesiredStatus | Error>();
  let remaining = [...new Map(units.map((unit) => [unit.id, unit])).values()];
  for (let attempt = 1; remaining.length > 0; attempt++) {
    const loaded = await computeForUnits(deps, remaining);
    const writes: PendingWrite[] = [];
    const issuedAt = deps.now();
    for (const unit of remaining) {
      try {
        const entry = loaded.get(unit.id);
        if (!entry) throw new Error('its inputs were not loaded');
        const digest = digestDesiredStatus(desiredStatusSchema.parse(entry.computed.data));
        const { current } = entry.loaded;
        if (current?.digest === digest) {
          results.set(unit.id, { generation: current.generation, digest, document: current.document, isNew: false });
          continue;
        }
        const generation = (current?.generation ?? 0) + 1;
        const document = signDesiredStatus(entry.computed.data, {
          systemId: unit.systemId,
          generation,
          credential: deps.authority.desiredStatusSigner,
          issuedAt,
        }) as unknown as Record<string, unknown>;
        writes.push({ unit, previousGeneration: current?.generation, generation, digest, document });
      } catch (error) {
        results.set(unit.id, error instanceof Error ? error : new Error(String(error)));
      }
    }
    const written = await writeIssued(deps, writes, issuedAt);
    for (const write of writes) {
      if (!written.has(write.unit.id)) continue;
      const { generation, digest, document } = write;
      results.set(write.unit.id, { generation, digest, document, isNew: true });
    }
    remaining = writes.filter((write) => !written.has(write.unit.id)).map((write) => write.unit);
    if (attempt >= MAX_ATTEMPTS) {
      for (const unit of remaining)
        results.set(
          unit.id,
          new Error(
            `issuing the desired status of unit ${unit.systemId}: other cloud processes kept issuing it meanwhile (${MAX_ATTEMPTS} attempts)`,
          ),
        );
      break;
    }
  }
  return results;
}

interface PendingWrite {
  unit: UnitRef;
  previousGeneration: number | undefined;
  generation: number;
  digest: string;
  document: Record<string, unknown>;
}

/** Rows written per statement (bounded statement size; a fleet's issue is a few statements). */
const ROWS_PER_STATEMENT = 500;

/**
 * Store the issued statuses: a conditional multi-row update (only where the stored generation is
 * still the one computed from) and a multi-row insert for units with none yet (skipping a row
 * another process inserted meanwhile), then the history rows of those written. Returns the ids
 * of the units written.
 */
async function writeIssued(deps: Deps, writes: PendingWrite[], issuedAt: Date): Promise<Set<string>> {
  const written = new Set<string>();
  for (const chunk of inSlices(writes, ROWS_PER_STATEMENT)) {
    const updates = chunk.filter((write) => write.previousGeneration !== undefined);
    const inserts = chunk.filter((write) => write.previousGeneration === undefined);
    if (updates.length > 0) {
      const values = sql.join(
        updates.map(
          (write) =>
            sql`(${write.unit.id}::uuid, ${write.previousGeneration}::bigint, ${write.generation}::bigint, ${write.digest}::text, ${JSON.stringify(write.document)}::jsonb)`,
        ),
        sql`, `,
      );
      const rows = await deps.db.execute(sql`
        update ${schema.unitDesiredStatuses} as t
        set generation = v.generation, digest = v.digest, document = v.document, issued_at = ${issuedAt.toISOString()}::timestamptz
        from (values ${values}) as v(unit_id, previous, generation, digest, document)
        where t.unit_id = v.unit_id and t.generation = v.previous
        returning t.unit_id`);
      for (const row of readRows<{ unit_id: string }>(rows)) written.add(row.unit_id);
    }
    if (inserts.length > 0) {
      const rows = await deps.db
        .insert(schema.unitDesiredStatuses)
        .values(
          inserts.map((write) => ({
            unitId: write.unit.id,
            generation: write.generation,
            digest: write.digest,
            document: write.document,
            issuedAt,
          })),
        )
        .onConflictDoNothing()
        .returning({ unitId: schema.unitDesiredStatuses.unitId });
      for (const row of rows) written.add(row.unitId);
    }
    const events = chunk
      .filter((write) => written.has(write.unit.id))
      .map((write) => ({
        unitId: write.unit.id,
        at: issuedAt,
        kind: 'desired',
        state: 'issued',
        version: String(write.generation),
      }));
    if (events.length > 0) await deps.db.insert(schema.unitStatusEvents).values(events);
  }
  return written;
}

/** Rows of `db.execute` (node-postgres returns a result with `rows`; PGlite too). */
function readRows<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

async function computeForUnits(
  deps: Pick<CloudDependencies, 'db' | 'blobs'>,
  units: readonly UnitRef[],
): Promise<Map<string, { loaded: LoadedUnitInputs; computed: ComputedDesiredStatus }>> {
  const ids = units.map((unit) => unit.id);
  let loaded = await loadDesiredStatusInputsOf(deps.db, ids);
  let computed = computeAll(loaded);
  const missing = new Set([...computed.values()].flatMap((entry) => entry.computed.missingIndex));
  if (missing.size === 0) return computed;
  for (const versionId of missing) await ensureIndexBlob(deps, versionId);
  loaded = await loadDesiredStatusInputsOf(deps.db, ids);
  computed = computeAll(loaded);
  return computed;
}

function computeAll(
  loaded: Map<string, LoadedUnitInputs>,
): Map<string, { loaded: LoadedUnitInputs; computed: ComputedDesiredStatus }> {
  const result = new Map<string, { loaded: LoadedUnitInputs; computed: ComputedDesiredStatus }>();
  for (const [unitId, entry] of loaded)
    result.set(unitId, { loaded: entry, computed: computeDesiredStatus(entry.inputs) });
  return result;
}
