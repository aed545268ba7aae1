/**
 * The cloud's side of AosEdge's state sync for one unit (reference §4.8, docs/alerts-and-state.md):
 * `newState` → kept (or refused with a reason) → `stateAcceptance`; `stateRequest` → the stored
 * state, else the version's default → `updateState`; states set in the cloud wait in
 * `instance_states` (deliveredAt null) until the unit acknowledged their `updateState`.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { schema } from '@openaos/db';
import {
  computeStateChecksum,
  type AosIdentity,
  type NewState,
  type Outgoing,
  type StateRequest,
} from '@openaos/protocol/v7';
import type { CloudDependencies } from '../../dependencies.js';
import { readVersionDefaultState } from './default-state.js';
import { findStateVersion, refuseStateSize } from './state-limit.js';

export type StateDependencies = Pick<CloudDependencies, 'db' | 'blobs' | 'authority' | 'tempDirectory' | 'now'>;

export interface InstanceKey {
  serviceId: string;
  subjectId: string;
  instance: number;
}

const nameOf = (identity: AosIdentity | null | undefined): string | undefined =>
  identity?.id ?? identity?.codename ?? undefined;

/** The identity a unit is sent back: as the agent names services and subjects (UUID → id, else codename). */
export function toIdentity(name: string): AosIdentity {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(name)
    ? { id: name }
    : { codename: name };
}

/** Judge and keep a newState; returns the stateAcceptance to send and whether the state was kept. */
export async function acceptNewState(
  deps: StateDependencies,
  unitId: string,
  message: NewState,
): Promise<{ reply: Outgoing<'stateAcceptance'>; accepted: InstanceKey | undefined }> {
  const serviceId = nameOf(message.item);
  const subjectId = nameOf(message.subject);
  const reply = (result: 'accepted' | 'rejected', reason: string): Outgoing<'stateAcceptance'> => ({
    messageType: 'stateAcceptance',
    item: message.item ?? {},
    subject: message.subject ?? {},
    instance: message.instance,
    checksum: message.stateChecksum,
    result,
    reason,
  });
  if (!serviceId || !subjectId)
    return { reply: reply('rejected', 'newState must name its item and subject'), accepted: undefined };
  const checksum = computeStateChecksum(message.state);
  if (checksum !== message.stateChecksum.toLowerCase())
    return {
      reply: reply('rejected', `stateChecksum does not match the state (expected hex SHA-256 ${checksum})`),
      accepted: undefined,
    };
  const version = await findStateVersion(deps.db, unitId, serviceId);
  if (!version)
    return { reply: reply('rejected', `the cloud has no ready version of service ${serviceId}`), accepted: undefined };
  const size = Buffer.byteLength(message.state, 'utf8');
  const refusal = refuseStateSize(size, version.stateLimit, version.version);
  if (refusal) return { reply: reply('rejected', refusal), accepted: undefined };
  const key = { unitId, serviceId, subjectId, instance: message.instance };
  const [pending] = await deps.db
    .select({ checksum: schema.instanceStates.checksum })
    .from(schema.instanceStates)
    .where(and(matches(key), eq(schema.instanceStates.source, 'cloud'), isNull(schema.instanceStates.deliveredAt)));
  if (pending && pending.checksum !== checksum)
    return {
      reply: reply(
        'rejected',
        'a state set in the cloud is waiting to be delivered to this instance; it replaces this one',
      ),
      accepted: undefined,
    };
  const now = deps.now();
  const values = {
    content: message.state,
    checksum,
    size,
    source: 'unit',
    updatedAt: now,
    updatedBy: null,
    deliveredAt: now,
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
  return { reply: reply('accepted', ''), accepted: { serviceId, subjectId, instance: message.instance } };
}

/**
 * The updateState answering a stateRequest: the stored state (unless `default` is asked for),
 * else the default state of the version the unit runs, else an empty state.
 */
export async function answerStateRequest(
  deps: StateDependencies,
  unitId: string,
  request: StateRequest,
): Promise<Outgoing<'updateState'> | undefined> {
  const serviceId = nameOf(request.item);
  const subjectId = nameOf(request.subject);
  if (!serviceId || !subjectId) return undefined;
  let content: string | undefined;
  if (!request.default) {
    const [stored] = await deps.db
      .select({ content: schema.instanceStates.content })
      .from(schema.instanceStates)
      .where(matches({ unitId, serviceId, subjectId, instance: request.instance }));
    content = stored?.content;
  }
  if (content === undefined) {
    const version = await findStateVersion(deps.db, unitId, serviceId);
    content = version ? await readVersionDefaultState(deps, version.versionId) : undefined;
  }
  const state = content ?? '';
  return {
    messageType: 'updateState',
    item: request.item,
    subject: request.subject,
    instance: request.instance,
    stateChecksum: computeStateChecksum(state),
    state,
  };
}

/** The states set in the cloud that this unit has not acknowledged yet, as updateState messages. */
export async function pendingStateUpdates(
  deps: Pick<CloudDependencies, 'db'>,
  unitId: string,
): Promise<{ key: InstanceKey; checksum: string; message: Outgoing<'updateState'> }[]> {
  const rows = await deps.db
    .select()
    .from(schema.instanceStates)
    .where(
      and(
        eq(schema.instanceStates.unitId, unitId),
        eq(schema.instanceStates.source, 'cloud'),
        isNull(schema.instanceStates.deliveredAt),
      ),
    );
  return rows.map((row) => ({
    key: { serviceId: row.serviceId, subjectId: row.subjectId, instance: row.instance },
    checksum: row.checksum,
    message: {
      messageType: 'updateState',
      item: toIdentity(row.serviceId),
      subject: toIdentity(row.subjectId),
      instance: row.instance,
      stateChecksum: row.checksum,
      state: row.content,
    },
  }));
}

/** The unit acknowledged an updateState: mark it delivered unless the state changed since. */
export async function markStateDelivered(
  deps: Pick<CloudDependencies, 'db' | 'now'>,
  unitId: string,
  key: InstanceKey,
  checksum: string,
): Promise<void> {
  await deps.db
    .update(schema.instanceStates)
    .set({ deliveredAt: deps.now() })
    .where(and(matches({ unitId, ...key }), eq(schema.instanceStates.checksum, checksum)));
}

export function matches(key: InstanceKey & { unitId: string }) {
  return and(
    eq(schema.instanceStates.unitId, key.unitId),
    eq(schema.instanceStates.serviceId, key.serviceId),
    eq(schema.instanceStates.subjectId, key.subjectId),
    eq(schema.instanceStates.instance, key.instance),
  );
}
