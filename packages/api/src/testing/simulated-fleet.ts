/**
 * Tests only: many units speaking the real v7 protocol over the gateway, each answering every
 * desired status as an agent would — a full unitStatus with each item installed and its instances
 * active, or, for a version `isBroken` says fails on that unit, the item failed ("rolled back to
 * …") and the version it ran before installed and active again.
 */
import { createCertificateRequest } from '@openaos/pki';
import type { MessageInput } from '@openaos/protocol/v7';
import type { Actor } from '../actor.js';
import type { CloudFixture } from './cloud-fixture.js';
import { insertProvisioningToken } from './gateway-server.js';
import { connectTestUnit, provisionTestUnit, type TestUnit, type TestUnitIdentity } from './test-unit.js';

type UnitStatusInput = Omit<MessageInput<'unitStatus'>, 'messageType'>;
type StatusInstances = NonNullable<UnitStatusInput['instances']>;

interface DesiredItem {
  item: { id: string };
  version: string;
}
interface DesiredInstance {
  item: { id: string };
  subject: { id: string };
  numInstances: number;
}

export interface SimulatedUnit {
  unitId: string;
  systemId: string;
  identity: TestUnitIdentity;
  connection: TestUnit | undefined;
  /** When this unit first got each `serviceId@version` in a desired status. */
  received: Map<string, Date>;
  /** The items of the last desired status received. */
  lastItems(): DesiredItem[];
}

export interface SimulatedFleet {
  units: SimulatedUnit[];
  /** Connect every unit (again) to the cloud at `url`. */
  connect(url: string): Promise<void>;
  disconnect(): Promise<void>;
}

/** Register `count` units as the OEM, provision them over the gateway at `url` (one shared key) and connect them. */
export async function startSimulatedFleet(options: {
  cloud: CloudFixture;
  oem: Actor;
  url: string;
  count: number;
  prefix: string;
  /** Whether the unit fails to run this version of the service. */
  isBroken: (unit: { systemId: string; index: number }, serviceId: string, version: string) => boolean;
}): Promise<SimulatedFleet> {
  const request = createCertificateRequest({ commonName: `${options.prefix}-shared` });
  const units: SimulatedUnit[] = [];
  const answers = new Map<string, (data: Record<string, unknown>) => UnitStatusInput>();
  for (let index = 0; index < options.count; index++) {
    const systemId = `${options.prefix}-${String(index).padStart(4, '0')}`;
    const created = await options.cloud.caller(options.oem).units.create({ systemId, model: 'simulated' });
    const token = await insertProvisioningToken(options.cloud.deps, created.id);
    const identity = await provisionTestUnit({ cloudUrl: options.url, systemId, token, request });
    let last: DesiredItem[] = [];
    units.push({
      unitId: created.id,
      systemId,
      identity,
      connection: undefined,
      received: new Map(),
      lastItems: () => last,
    });
    const unit = units[index]!;
    const committed = new Map<string, string>();
    answers.set(created.id, (data) => {
      last = (data.items as DesiredItem[]) ?? [];
      const instances = (data.instances as DesiredInstance[]) ?? [];
      const items: NonNullable<UnitStatusInput['items']> = [];
      const running: StatusInstances = [];
      for (const item of last) {
        const key = `${item.item.id}@${item.version}`;
        if (!unit.received.has(key)) unit.received.set(key, new Date());
        const before = committed.get(item.item.id);
        let version = item.version;
        if (options.isBroken({ systemId, index }, item.item.id, item.version)) {
          items.push({
            item: { id: item.item.id },
            version: item.version,
            state: 'failed',
            errorInfo: { message: `rolled back to ${before ?? 'nothing'}: exited with code 1` },
          });
          if (!before) continue;
          version = before;
        } else committed.set(item.item.id, item.version);
        items.push({ item: { id: item.item.id }, version, state: 'installed' });
        for (const entry of instances.filter((candidate) => candidate.item.id === item.item.id))
          running.push({
            item: { id: item.item.id },
            subject: { id: entry.subject.id },
            version,
            instances: Array.from({ length: entry.numInstances }, (_, instance) => ({
              node: { codename: 'main' },
              runtime: { codename: 'runc' },
              instance,
              state: 'active' as const,
            })),
          });
      }
      return { isDeltaInfo: false, items, instances: running };
    });
  }
  const fleet: SimulatedFleet = {
    units,
    async connect(url) {
      await Promise.all(
        units.map(async (unit) => {
          const answer = answers.get(unit.unitId)!;
          // A desired status may come before connectTestUnit resolves: its answer waits for it.
          const held: { connection?: TestUnit; early?: UnitStatusInput } = {};
          const send = (status: UnitStatusInput) =>
            setImmediate(() => void held.connection?.sendStatus(status).catch(() => undefined));
          const connection = await connectTestUnit({
            cloudUrl: url,
            identity: unit.identity,
            limits: { pingIntervalMs: 0 },
            onDesiredStatus: (data) => {
              const status = answer(data);
              if (held.connection) send(status);
              else held.early = status;
            },
          });
          held.connection = connection;
          if (held.early) send(held.early);
          unit.connection = connection;
        }),
      );
    },
    async disconnect() {
      await Promise.all(units.map((unit) => unit.connection?.close().catch(() => undefined)));
      for (const unit of units) unit.connection = undefined;
    },
  };
  await fleet.connect(options.url);
  return fleet;
}
