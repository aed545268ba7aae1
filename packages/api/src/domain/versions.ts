import { and, eq } from 'drizzle-orm';
import { schema, type ConfigSummary, type Database } from '@openaos/db';
import { requireRole, type Actor } from '../actor.js';
import type { CloudDependencies } from '../dependencies.js';
import { ApiError } from '../errors.js';
import { freeBlobs } from './blobs.js';
import { announceServiceChange } from './desired-status/announce.js';
import { approveThroughRollouts } from './rollouts/start-rollout.js';
import { findVisible, requireOwner } from './service-access.js';
import { compareSemver } from './semver.js';
import { notFound, toIso } from './util.js';

export type ServiceVersionState = 'processing' | 'ready' | 'failed' | 'approved';

export interface ServiceVersionView {
  id: string;
  serviceId: string;
  version: string;
  state: ServiceVersionState;
  failureReason: string | null;
  packageDigest: string | null;
  packageSize: number | null;
  imageDigest: string | null;
  imageSize: number | null;
  configSummary: ConfigSummary | null;
  uploadedBy: string | null;
  createdAt: string;
  approvedAt: string | null;
}

export function toVersionView(row: typeof schema.serviceVersions.$inferSelect): ServiceVersionView {
  return {
    id: row.id,
    serviceId: row.serviceId,
    version: row.version,
    state: row.state,
    failureReason: row.failureReason,
    packageDigest: row.packageDigest,
    packageSize: row.packageSize,
    imageDigest: row.imageDigest,
    imageSize: row.imageSize,
    configSummary: row.configSummary,
    uploadedBy: row.uploadedBy,
    createdAt: toIso(row.createdAt),
    approvedAt: toIso(row.approvedAt),
  };
}

export async function list(db: Database, actor: Actor, input: { serviceId: string }): Promise<ServiceVersionView[]> {
  await findVisible(db, actor, input.serviceId);
  const rows = await db
    .select()
    .from(schema.serviceVersions)
    .where(eq(schema.serviceVersions.serviceId, input.serviceId));
  return rows.sort((a, b) => compareSemver(b.version, a.version)).map(toVersionView);
}

async function findVersion(db: Database, actor: Actor, id: string) {
  const [row] = await db.select().from(schema.serviceVersions).where(eq(schema.serviceVersions.id, id));
  if (!row) throw notFound('service version', id);
  const service = await findVisible(db, actor, row.serviceId).catch(() => {
    throw notFound('service version', id);
  });
  return { version: row, service: service.service };
}

export async function get(db: Database, actor: Actor, input: { id: string }): Promise<ServiceVersionView> {
  return toVersionView((await findVersion(db, actor, input.id)).version);
}

/**
 * OEM approval of a ready version for the fleet, recorded as the version's state. Once the unit
 * link sends versions to units, verification sets are to get ready versions without it and
 * everyone else waits for it; today no unit gets any version.
 */
export async function approve(
  deps: Pick<CloudDependencies, 'db' | 'unitEvents' | 'now'>,
  actor: Actor,
  input: { id: string },
): Promise<ServiceVersionView> {
  const db = deps.db;
  requireRole(actor, ['oem'], 'approving a service version');
  const { version } = await findVersion(db, actor, input.id);
  if (version.state !== 'ready') {
    throw new ApiError(
      'invalid-input',
      `approving version ${version.version}: it is ${version.state}; only a ready version can be approved`,
    );
  }
  // Bound to subjects of this OEM: approved together with a rollout on each (docs/rollouts.md).
  if ((await approveThroughRollouts(deps, actor, input.id)).length > 0) return get(db, actor, input);
  const [row] = await db
    .update(schema.serviceVersions)
    .set({ state: 'approved', approvedAt: new Date(), approvedBy: actor.userId })
    .where(and(eq(schema.serviceVersions.id, input.id), eq(schema.serviceVersions.state, 'ready')))
    .returning();
  if (!row)
    throw new ApiError(
      'invalid-input',
      `approving version ${version.version}: its state changed meanwhile; reload and retry`,
    );
  await announceServiceChange(deps, row.serviceId);
  return toVersionView(row);
}

/** Delete a version (and the blobs only it used). Refused for an approved version of a service bound to a subject. */
export async function remove(
  deps: Pick<CloudDependencies, 'db' | 'blobs' | 'unitEvents'>,
  actor: Actor,
  input: { id: string },
): Promise<void> {
  const { version, service } = await findVersion(deps.db, actor, input.id);
  requireOwner(actor, service, `deleting version ${version.version}`);
  if (version.state === 'processing')
    throw new ApiError(
      'delete-blocked',
      `deleting version ${version.version}: it is still being processed; wait until it is ready or failed`,
    );
  if (version.state === 'approved') {
    const bindings = await deps.db
      .select()
      .from(schema.subjectServices)
      .where(eq(schema.subjectServices.serviceId, service.id));
    if (bindings.length > 0) {
      throw new ApiError(
        'delete-blocked',
        `deleting version ${version.version}: it is approved and the service is bound to ${bindings.length} subject(s), so units may run it; upload a newer version instead`,
      );
    }
  }
  await deps.db.delete(schema.serviceVersions).where(eq(schema.serviceVersions.id, input.id));
  await announceServiceChange(deps, service.id);
  await freeBlobs(deps, version.blobDigests);
}
