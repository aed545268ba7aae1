import { and, eq } from 'drizzle-orm';
import { schema } from '@openaos/db';
import { computeStateChecksum } from '@openaos/protocol/v7';
import type { Actor } from '../../actor.js';
import type { CloudDependencies } from '../../dependencies.js';
import { ApiError } from '../../errors.js';
import { findVisible, requireOwner } from '../service-access.js';
import { notFound, toIso } from '../util.js';
import { findStateVersion, refuseStateSize } from './state-limit.js';
import { matches } from './unit-state-messages.js';

export interface InstanceStateInput {
  serviceId: string;
  /** The unit's system ID (or unit ID). */
  unit: string;
  instance: number;
  /** Needed only when the unit runs the instance for several subjects. */
  subjectId?: string | undefined;
}

export interface InstanceStateView {
  serviceId: string;
  unit: { id: string; systemId: string };
  subjectId: string;
  instance: number;
  /** Null while the cloud holds no state for the instance. */
  content: string | null;
  checksum: string | null;
  size: number | null;
  /** `unit` (sent by the unit) or `cloud` (set by an SP user). */
  source: string | null;
  updatedAt: string | null;
  /** For a state set in the cloud: whether the unit has it (acknowledged its updateState). */
  isDelivered: boolean | null;
}

/**
 * Who may: the SP users of the service's organisation (read and set), the OEM users of the unit's
 * organisation (read). The unit must run (or have reported) that instance of the service; anyone
 * else gets not-found, as for a unit that does not exist.
 */
async function resolveInstance(
  deps: Pick<CloudDependencies, 'db'>,
  actor: Actor,
  input: InstanceStateInput,
  action: string,
): Promise<{ unit: { id: string; systemId: string }; subjectId: string }> {
  const service = await findVisible(deps.db, actor, input.serviceId);
  if (actor.role === 'sp' && actor.organisationId !== service.service.organisationId)
    throw notFound('service', input.serviceId);
  const byReference = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(input.unit)
    ? eq(schema.units.id, input.unit)
    : eq(schema.units.systemId, input.unit);
  const [unit] = await deps.db
    .select({ id: schema.units.id, systemId: schema.units.systemId, organisationId: schema.units.organisationId })
    .from(schema.units)
    .where(byReference);
  if (!unit || (actor.role === 'oem' && unit.organisationId !== actor.organisationId))
    throw notFound('unit', input.unit);
  const reported = await deps.db
    .select({ subjectId: schema.unitInstanceStatuses.subjectId })
    .from(schema.unitInstanceStatuses)
    .where(
      and(
        eq(schema.unitInstanceStatuses.unitId, unit.id),
        eq(schema.unitInstanceStatuses.itemId, input.serviceId),
        eq(schema.unitInstanceStatuses.instance, input.instance),
      ),
    );
  const stored = await deps.db
    .select({ subjectId: schema.instanceStates.subjectId })
    .from(schema.instanceStates)
    .where(
      and(
        eq(schema.instanceStates.unitId, unit.id),
        eq(schema.instanceStates.serviceId, input.serviceId),
        eq(schema.instanceStates.instance, input.instance),
      ),
    );
  const known = new Set([...reported, ...stored].map((row) => row.subjectId));
  const subjects = input.subjectId ? [...known].filter((id) => id === input.subjectId) : [...known];
  const [subjectId] = subjects;
  if (subjectId === undefined)
    throw new ApiError(
      'not-found',
      `${action}: unit ${input.unit} runs no instance ${input.instance} of service ${input.serviceId}${input.subjectId ? ` for subject ${input.subjectId}` : ''}; check the unit and --instance (aos status)`,
    );
  if (subjects.length > 1)
    throw new ApiError(
      'invalid-input',
      `${action}: unit ${input.unit} runs instance ${input.instance} of the service for several subjects (${subjects.join(', ')}); give --subject <id>`,
    );
  return { unit: { id: unit.id, systemId: unit.systemId }, subjectId };
}

/** The state the cloud holds for one instance (the latest accepted, or one set in the cloud). */
export async function getInstanceState(
  deps: Pick<CloudDependencies, 'db'>,
  actor: Actor,
  input: InstanceStateInput,
): Promise<InstanceStateView> {
  const action = `reading the state of instance ${input.instance} of service ${input.serviceId} on unit ${input.unit}`;
  const { unit, subjectId } = await resolveInstance(deps, actor, input, action);
  const [row] = await deps.db
    .select()
    .from(schema.instanceStates)
    .where(matches({ unitId: unit.id, serviceId: input.serviceId, subjectId, instance: input.instance }));
  return {
    serviceId: input.serviceId,
    unit,
    subjectId,
    instance: input.instance,
    content: row?.content ?? null,
    checksum: row?.checksum ?? null,
    size: row?.size ?? null,
    source: row?.source ?? null,
    updatedAt: toIso(row?.updatedAt),
    isDelivered: row ? row.source !== 'cloud' || row.deliveredAt !== null : null,
  };
}

/**
 * Set an instance's state (SP users of the service): kept at once, sent to the unit with
 * `updateState` by the cloud process holding its socket (now, or when it next connects).
 */
export async function setInstanceState(
  deps: Pick<CloudDependencies, 'db' | 'now' | 'unitEvents'>,
  actor: Actor,
  input: InstanceStateInput & { content: string },
): Promise<InstanceStateView> {
  const action = `setting the state of instance ${input.instance} of service ${input.serviceId} on unit ${input.unit}`;
  const service = await findVisible(deps.db, actor, input.serviceId);
  requireOwner(actor, { id: service.service.id, organisationId: service.service.organisationId }, action);
  const { unit, subjectId } = await resolveInstance(deps, actor, input, action);
  const size = Buffer.byteLength(input.content, 'utf8');
  const version = await findStateVersion(deps.db, unit.id, input.serviceId);
  const refusal = version
    ? refuseStateSize(size, version.stateLimit, version.version)
    : 'the service has no ready version';
  if (refusal) throw new ApiError('invalid-input', `${action}: ${refusal}`, { details: { field: 'content' } });
  const key = { unitId: unit.id, serviceId: input.serviceId, subjectId, instance: input.instance };
  const values = {
    content: input.content,
    checksum: computeStateChecksum(input.content),
    size,
    source: 'cloud',
    updatedAt: deps.now(),
    updatedBy: actor.userId,
    deliveredAt: null,
  };
  await deps.db
    .insert(schema.instanceStates)
    .values({ ...key, ...values })
    .onConflictDoUpdate({
      target: [
        schema.instanceStates.unitId,
        schema.instanceStates.serviceId,
        schema.instanceStates.subjectId,
        schema.instanceStates.instance,
      ],
      set: values,
    });
  await deps.unitEvents.announce({ kind: 'state-changed', unitIds: [unit.id], serviceIds: [input.serviceId] });
  return getInstanceState(deps, actor, input);
}
