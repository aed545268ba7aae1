/**
 * The unit's side of AosEdge's state sync (reference §4.8, docs/alerts-and-state.md): every
 * instance with a state file (`/state.dat`, bind-mounted from `<storage>/state/<instanceId>/`).
 *
 * Invariants:
 * - `agent/state-sync.json` holds, per instance with a state file, the checksum of the state the
 *   cloud has (accepted from us, or sent to us), or that the instance awaits its state from the
 *   cloud. An instance with no entry is fresh (just installed): it asks (`stateRequest`) and takes
 *   the answer (`updateState`); until then its own changes are not sent.
 * - A state file whose content differs from what the cloud has is sent (`newState`) once per
 *   content and connection, once it held still for a poll (a service's write in progress is not
 *   sent half done); the cloud's `stateAcceptance` with that checksum records it.
 * - `updateState` rewrites the file in place (same inode: the container holds a bind mount of it).
 * - An instance that leaves the status (removed: its state file is deleted with it) loses its
 *   entry, so installing it again is a fresh install.
 * - Everything runs one step at a time (one chain); nothing thrown escapes: problems are logged.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { computeStateChecksum, type AosIdentity, type UnitChannel } from '@openaos/protocol/v7';
import { readJsonFile, writeFileAtomic } from '../persist/atomic-write.js';
import { createInstanceId } from '../persist/instance-id.js';
import { describeError } from '../errors.js';
import type { UnitStatus as AgentStatus } from '../formats/unit-status.js';
import { instancePaths, type StoragePaths } from '../paths.js';
import { toIdentity } from './map-unit-status.js';

export interface StateSyncOptions {
  /** Host path of the instance's state file. */
  statePathOf(instanceId: string): string;
  /** Where the entries are kept (agent/state-sync.json). */
  recordPath: string;
  log(message: string): void;
  /** How often state files are checked for changes (default 500 ms). */
  pollMs?: number;
}

interface Entry {
  /** Checksum of the state the cloud has. */
  checksum?: string;
  /** Waiting for the cloud's updateState after our stateRequest. */
  isAwaitingCloud?: boolean;
}

interface Watched {
  serviceId: string;
  subjectId: string;
  instance: number;
  path: string;
  /** mtime and size at the last read, to skip unchanged files. */
  seen?: string;
  /** mtime and size of a change seen at the last poll, read if the next poll finds it unchanged. */
  settling?: string;
  /** The checksum sent on this connection and not yet answered (or refused). */
  sentChecksum?: string;
  /** A stateRequest went on this connection. */
  isRequested?: boolean;
}

/** The state sync of an agent on its storage (state files under `<storage>/state/`, entries in `agent/`). */
export function createStateSync(paths: StoragePaths, log: (message: string) => void): StateSync {
  return new StateSync({
    statePathOf: (instanceId) => instancePaths(paths, instanceId).stateFile,
    recordPath: join(paths.agent, 'state-sync.json'),
    log,
  });
}

const keyOf = (serviceId: string, subjectId: string, instance: number) =>
  createInstanceId(serviceId, subjectId, instance);
const nameOf = (identity: AosIdentity | null | undefined): string | undefined =>
  identity?.id ?? identity?.codename ?? undefined;

export class StateSync {
  private entries: Record<string, Entry> | undefined;
  private readonly watched = new Map<string, Watched>();
  private channel: UnitChannel | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: StateSyncOptions) {
    this.timer = setInterval(() => this.enqueue(() => this.scan()), options.pollMs ?? 500);
    this.timer.unref();
  }

  /** Use this connection: handle its updateState and stateAcceptance, and send what is due. */
  attach(channel: UnitChannel): void {
    this.channel = channel;
    for (const watched of this.watched.values()) {
      delete watched.sentChecksum;
      delete watched.isRequested;
    }
    channel.on('updateState', (message) =>
      this.enqueue(() =>
        this.writeState(
          nameOf(message.item),
          nameOf(message.subject),
          message.instance,
          message.state,
          message.stateChecksum,
        ),
      ),
    );
    channel.on('stateAcceptance', (message) =>
      this.enqueue(() => this.accepted(nameOf(message.item), nameOf(message.subject), message.instance, message)),
    );
    void channel.closed.then(() => {
      if (this.channel === channel) this.channel = undefined;
    });
    this.enqueue(() => this.scan(true));
  }

  /** The agent's status changed: watch the instances that have a state file, forget removed ones. */
  observe(status: AgentStatus): void {
    const instances = status.instances.map((item) => ({
      ...item,
      key: keyOf(item.serviceId, item.subjectId, item.instance),
    }));
    this.enqueue(async () => {
      const entries = await this.load();
      const present = new Set(instances.map((item) => item.key));
      let isChanged = false;
      for (const key of [...this.watched.keys()]) {
        if (present.has(key)) continue;
        this.watched.delete(key);
        if (entries[key]) {
          delete entries[key];
          isChanged = true;
        }
      }
      for (const item of instances) {
        if (this.watched.has(item.key)) continue;
        const path = this.options.statePathOf(item.key);
        if (!(await isFile(path))) continue;
        this.watched.set(item.key, {
          serviceId: item.serviceId,
          subjectId: item.subjectId,
          instance: item.instance,
          path,
        });
        if (!entries[item.key]) {
          entries[item.key] = { isAwaitingCloud: true };
          isChanged = true;
        }
      }
      if (isChanged) await this.save();
      await this.scan(true);
    });
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Resolves once everything queued so far has run (tests). */
  settled(): Promise<void> {
    return this.chain;
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain
      .then(step)
      .catch((error: unknown) => this.options.log(`state sync: ${describeError(error)}`));
  }

  private async load(): Promise<Record<string, Entry>> {
    this.entries ??= (await readJsonFile<Record<string, Entry>>(this.options.recordPath)) ?? {};
    return this.entries;
  }

  private async save(): Promise<void> {
    await writeFileAtomic(this.options.recordPath, JSON.stringify(this.entries ?? {}, null, 1));
  }

  /** Ask for the state of fresh instances and send the changed ones (all of them again when `isAll`). */
  private async scan(isAll = false): Promise<void> {
    const channel = this.channel;
    if (!channel || channel.stats().state !== 'open' || this.watched.size === 0) return;
    const entries = await this.load();
    for (const [key, watched] of this.watched) {
      const entry = entries[key] ?? {};
      if (entry.isAwaitingCloud) {
        if (watched.isRequested) continue;
        watched.isRequested = true;
        await channel.send({
          messageType: 'stateRequest',
          item: toIdentity(watched.serviceId),
          subject: toIdentity(watched.subjectId),
          instance: watched.instance,
          default: false,
        });
        continue;
      }
      const info = await stat(watched.path).catch(() => undefined);
      if (!info) continue;
      const seen = `${info.mtimeMs}:${info.size}`;
      if (!isAll && seen === watched.seen) continue;
      // A file that changed since the last poll may be half written (truncated, not yet refilled):
      // it is read once it held still for a poll.
      if (!isAll && seen !== watched.settling) {
        watched.settling = seen;
        continue;
      }
      watched.seen = seen;
      watched.settling = undefined;
      const state = await readFile(watched.path, 'utf8');
      const checksum = computeStateChecksum(state);
      if (checksum === entry.checksum || checksum === watched.sentChecksum) continue;
      watched.sentChecksum = checksum;
      await channel.send({
        messageType: 'newState',
        item: toIdentity(watched.serviceId),
        subject: toIdentity(watched.subjectId),
        instance: watched.instance,
        stateChecksum: checksum,
        state,
      });
    }
  }

  private async writeState(
    serviceId: string | undefined,
    subjectId: string | undefined,
    instance: number,
    state: string,
    checksum: string,
  ): Promise<void> {
    if (!serviceId || !subjectId) return this.options.log('state sync: an updateState named no item or subject');
    const key = keyOf(serviceId, subjectId, instance);
    const watched = this.watched.get(key);
    if (!watched)
      return this.options.log(
        `state sync: updateState for instance ${instance} of ${serviceId}, which has no state here`,
      );
    if (computeStateChecksum(state) !== checksum.toLowerCase())
      return this.options.log(
        `state sync: updateState for ${serviceId}/${instance}: the checksum does not match; ignored`,
      );
    await writeFile(watched.path, state); // in place: O_TRUNC on the same inode
    const info = await stat(watched.path);
    watched.seen = `${info.mtimeMs}:${info.size}`;
    delete watched.sentChecksum;
    const entries = await this.load();
    entries[key] = { checksum: computeStateChecksum(state) };
    await this.save();
    this.options.log(
      `state sync: wrote the cloud's state of ${serviceId}/${instance} (${Buffer.byteLength(state)} bytes)`,
    );
  }

  private async accepted(
    serviceId: string | undefined,
    subjectId: string | undefined,
    instance: number,
    answer: { checksum: string; result: string; reason: string },
  ): Promise<void> {
    if (!serviceId || !subjectId) return;
    const key = keyOf(serviceId, subjectId, instance);
    if (answer.result !== 'accepted') {
      this.options.log(`state sync: the cloud refused the state of ${serviceId}/${instance}: ${answer.reason}`);
      return;
    }
    const entries = await this.load();
    if (!this.watched.has(key)) return;
    entries[key] = { checksum: answer.checksum };
    await this.save();
  }
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}
