import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { schema, type Database, type DefaultQuotas } from '@openaos/db';
import { requireOrganisation, requireRole, type Actor } from '../actor.js';
import type { CloudDependencies } from '../dependencies.js';
import { ApiError } from '../errors.js';
import { freeBlobs } from './blobs.js';
import { announceCatalogueChange, announceServiceChange } from './desired-status/announce.js';
import { compareSemver } from './semver.js';
import { findVisible, requireOwner } from './service-access.js';
import { notFound, onlyRow, toIso } from './util.js';
import { toVersionView, type ServiceVersionView } from './versions.js';

export interface ServiceView {
  /** The Service ID: copy it into `publish.service_uid` of meta/config.yaml. */
  id: string;
  title: string;
  description: string;
  defaultQuotas: DefaultQuotas;
  organisationId: string;
  organisationName: string;
  createdAt: string;
  latestVersion: string | null;
  versionCount: number;
}

export interface ServiceDetail extends ServiceView {
  versions: ServiceVersionView[];
  boundSubjectCount: number;
  subjects: { id: string; name: string }[];
}

export async function list(db: Database, actor: Actor): Promise<ServiceView[]> {
  const rows = await db
    .select({ service: schema.services, organisationName: schema.organisations.name })
    .from(schema.services)
    .innerJoin(schema.organisations, eq(schema.services.organisationId, schema.organisations.id))
    .where(
      actor.role === 'sp'
        ? eq(schema.services.organisationId, actor.organisationId ?? '00000000-0000-0000-0000-000000000000')
        : undefined,
    )
    .orderBy(asc(schema.services.title));
  const ids = rows.map((row) => row.service.id);
  const versions = ids.length
    ? await db
        .select({
          serviceId: schema.serviceVersions.serviceId,
          version: schema.serviceVersions.version,
          state: schema.serviceVersions.state,
        })
        .from(schema.serviceVersions)
        .where(inArray(schema.serviceVersions.serviceId, ids))
    : [];
  return rows.map((row) => {
    const own = versions.filter((version) => version.serviceId === row.service.id);
    const usable = own.filter((version) => version.state !== 'failed').map((version) => version.version);
    usable.sort(compareSemver);
    return {
      ...toServiceFields(row.service, row.organisationName),
      latestVersion: usable.at(-1) ?? null,
      versionCount: own.length,
    };
  });
}

function toServiceFields(service: typeof schema.services.$inferSelect, organisationName: string) {
  return {
    id: service.id,
    title: service.title,
    description: service.description,
    defaultQuotas: service.defaultQuotas,
    organisationId: service.organisationId,
    organisationName,
    createdAt: toIso(service.createdAt),
  };
}

export async function get(db: Database, actor: Actor, input: { id: string }): Promise<ServiceDetail> {
  const row = await findVisible(db, actor, input.id);
  const versions = await db
    .select()
    .from(schema.serviceVersions)
    .where(eq(schema.serviceVersions.serviceId, input.id))
    .orderBy(desc(schema.serviceVersions.createdAt));
  versions.sort((a, b) => compareSemver(b.version, a.version));
  const subjects = await db
    .select({ id: schema.subjects.id, name: schema.subjects.name, organisationId: schema.subjects.organisationId })
    .from(schema.subjectServices)
    .innerJoin(schema.subjects, eq(schema.subjectServices.subjectId, schema.subjects.id))
    .where(eq(schema.subjectServices.serviceId, input.id));
  const usable = versions.filter((version) => version.state !== 'failed');
  return {
    ...toServiceFields(row.service, row.organisationName),
    latestVersion: usable[0]?.version ?? null,
    versionCount: versions.length,
    versions: versions.map(toVersionView),
    // An SP learns how many subjects use its service, but only the OEM that owns a subject sees it.
    boundSubjectCount: subjects.length,
    subjects: subjects
      .filter((subject) => actor.role === 'admin' || subject.organisationId === actor.organisationId)
      .map((subject) => ({ id: subject.id, name: subject.name })),
  };
}

export interface ServiceInput {
  title: string;
  description?: string;
  defaultQuotas?: DefaultQuotas;
}

/** Create a service in the SP user's organisation; the cloud issues its Service ID. */
export async function create(
  deps: Pick<CloudDependencies, 'db' | 'unitEvents'>,
  actor: Actor,
  input: ServiceInput,
): Promise<ServiceView> {
  const db = deps.db;
  requireRole(actor, ['sp'], 'creating a service');
  const organisationId = requireOrganisation(actor, 'creating a service');
  const rows = await db
    .insert(schema.services)
    .values({
      organisationId,
      title: input.title.trim(),
      description: input.description?.trim() ?? '',
      defaultQuotas: input.defaultQuotas ?? {},
      createdBy: actor.userId,
    })
    .returning();
  const service = onlyRow(rows, `creating service "${input.title}"`);
  await announceCatalogueChange(deps, service.id);
  return { ...toServiceFields(service, actor.organisationName ?? ''), latestVersion: null, versionCount: 0 };
}

/** Change a service; a new title reaches the units that run it (it names their desired item). */
export async function update(
  deps: Pick<CloudDependencies, 'db' | 'unitEvents'>,
  actor: Actor,
  input: { id: string } & Partial<ServiceInput>,
): Promise<ServiceView> {
  const db = deps.db;
  const row = await findVisible(db, actor, input.id);
  requireOwner(actor, row.service, `changing service "${row.service.title}"`);
  await db
    .update(schema.services)
    .set({
      ...(input.title !== undefined ? { title: input.title.trim() } : {}),
      ...(input.description !== undefined ? { description: input.description.trim() } : {}),
      ...(input.defaultQuotas !== undefined ? { defaultQuotas: input.defaultQuotas } : {}),
    })
    .where(eq(schema.services.id, input.id));
  if (input.title !== undefined && input.title.trim() !== row.service.title)
    await announceServiceChange(deps, input.id);
  else await announceCatalogueChange(deps, input.id);
  const view = (await list(db, actor)).find((service) => service.id === input.id);
  if (!view) throw notFound('service', input.id);
  return view;
}

/**
 * Delete a service with its versions and the blobs no other version uses. Refused while the
 * service is bound to a subject: an OEM relies on it; they must unbind it first.
 */
export async function remove(
  deps: Pick<CloudDependencies, 'db' | 'blobs'>,
  actor: Actor,
  input: { id: string },
): Promise<void> {
  const row = await findVisible(deps.db, actor, input.id);
  requireOwner(actor, row.service, `deleting service "${row.service.title}"`);
  const bindings = await deps.db
    .select({ name: schema.subjects.name })
    .from(schema.subjectServices)
    .innerJoin(schema.subjects, eq(schema.subjectServices.subjectId, schema.subjects.id))
    .where(eq(schema.subjectServices.serviceId, input.id));
  if (bindings.length > 0) {
    throw new ApiError(
      'delete-blocked',
      `deleting service "${row.service.title}": it is bound to ${bindings.length} subject(s); ask the OEM to unbind it from their subjects first`,
    );
  }
  const versions = await deps.db
    .select()
    .from(schema.serviceVersions)
    .where(eq(schema.serviceVersions.serviceId, input.id));
  await deps.db.delete(schema.services).where(and(eq(schema.services.id, input.id)));
  await freeBlobs(
    deps,
    versions.flatMap((version) => version.blobDigests),
  );
}
