// One simulated unit of the fleet bench: the agent's side of the v7 unit channel without
// containers. It connects with a fresh AosCert proof of its own cloud-issued certificate, sends a
// full unitStatus after every connect (as the agent does), verifies each desiredStatus (signer
// chain, signature, unit, generation), "applies" it at once and reports the delta (items installed,
// instances active), sends monitoringData periodically, and reconnects with the agent's backoff
// and full jitter when its socket drops. What it leaves out: downloads and containers.
import { backoffDelay, DEFAULT_BACKOFF } from '@openaos/agent';
import { CLOUD_HTTP_PATHS, createCertificateToken, formatCertificateAuthorization } from '@openaos/protocol';
import { createChannel, verifyDesiredStatus } from '@openaos/protocol/v7';
import { clearInterval, setInterval, setTimeout } from 'node:timers';
import WebSocket from 'ws';

const NODE = { codename: 'main' };
const RUNTIME = { codename: 'runc' };

export class SimUnit {
  /**
   * @param {{ systemId: string, credential: import('@openaos/pki').Credential, cloudUrl: string,
   *   trustedCa: string, counters: { sent: number, received: number, refused: number },
   *   monitoringPeriodMs: number, onActive: (unit: SimUnit, version: string) => void }} options
   */
  constructor(options) {
    this.options = options;
    this.systemId = options.systemId;
    /** @type {import('@openaos/protocol/v7').UnitChannel | undefined} */
    this.channel = undefined;
    this.socket = undefined;
    this.isStopping = false;
    this.connections = 0;
    this.attempt = 0;
    this.lastApplied = undefined;
    /** What runs: items (id → version) and instances as last desired. */
    this.items = new Map();
    this.desiredInstances = [];
    /** Set on each connect; the time the unit was back and resynced (full status acked, desired status received). */
    this.resyncedAt = undefined;
    this.monitoring = undefined;
  }

  get isOpen() {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Open the channel; resolves once the socket is open (the full status follows on its own). */
  connect() {
    const path = CLOUD_HTTP_PATHS.unitChannel;
    const authorization = formatCertificateAuthorization(
      createCertificateToken(this.options.credential, { method: 'GET', path }),
    );
    const url = this.options.cloudUrl.replace(/^http/, 'ws') + path;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers: { Authorization: authorization }, perMessageDeflate: false });
      socket.once('open', () => {
        this.attach(socket);
        resolve();
      });
      socket.once('unexpected-response', (_request, response) => {
        response.resume();
        reject(new Error(`${this.systemId}: connection refused with HTTP ${response.statusCode}`));
      });
      socket.once('error', reject);
    });
  }

  /** Attach the channel in the `open` event itself: the cloud's first message follows the upgrade at once. */
  attach(socket) {
    const { counters } = this.options;
    this.socket = socket;
    this.connections += 1;
    this.resyncedAt = undefined;
    /** When this connection's socket opened, its full status was acknowledged and its desired status came. */
    this.openedAt = Date.now();
    this.fullStatusAckedAt = undefined;
    this.desiredAt = undefined;
    let hasFullStatusAck = false;
    let hasDesired = false;
    const markResynced = () => {
      if (hasFullStatusAck && hasDesired && this.resyncedAt === undefined) this.resyncedAt = Date.now();
    };
    socket.on('message', () => (counters.received += 1));
    const send = socket.send.bind(socket);
    socket.send = (data, callback) => {
      counters.sent += 1;
      return send(data, callback);
    };
    socket.on('error', () => undefined);
    const channel = createChannel(socket, { side: 'unit', systemId: this.systemId });
    this.channel = channel;
    const connectedAt = Date.now();
    channel.on('desiredStatus', (_data, context) => {
      const verified = verifyDesiredStatus(context.rawData, {
        systemId: this.systemId,
        trustedCa: this.options.trustedCa,
        lastApplied: this.lastApplied,
      });
      if (!verified.ok) {
        counters.refused += 1;
        throw new Error(`refusing the desired status: ${verified.message}`);
      }
      hasDesired = true;
      this.desiredAt ??= Date.now();
      markResynced();
      if (verified.isAlreadyApplied) return;
      this.options.onDesired?.(this, verified.desiredStatus);
      this.lastApplied = { generation: verified.generation, digest: verified.digest };
      // A socket lost before the ack: the full status after the reconnect reports the same.
      this.apply(channel, verified.desiredStatus).catch(() => undefined);
    });
    channel
      .send(this.fullStatus())
      .then(() => {
        hasFullStatusAck = true;
        this.fullStatusAckedAt = Date.now();
        markResynced();
        // A full status acknowledged reports what runs, as a delta would.
        for (const version of new Set(this.items.values())) this.options.onActive(this, version);
      })
      .catch(() => undefined);
    this.monitoring = setInterval(
      () => void channel.send(this.monitoringData()).catch(() => undefined),
      this.options.monitoringPeriodMs,
    );
    this.monitoring.unref();
    void channel.closed.then(() => {
      clearInterval(this.monitoring);
      if (this.isStopping) return;
      // The agent's policy: a connection that lasted long enough resets the attempts.
      if (Date.now() - connectedAt >= DEFAULT_BACKOFF.resetAfterMs) this.attempt = 0;
      this.reconnectLater();
    });
  }

  reconnectLater() {
    const delay = backoffDelay(this.attempt, Math.random, DEFAULT_BACKOFF);
    this.attempt += 1;
    setTimeout(() => {
      if (this.isStopping) return;
      this.connect().catch((error) => {
        // Why reconnects failed (the storm's report counts them by reason).
        const reason = String(error?.message ?? error).replace(/^fleet-\d+: /, '');
        const failures = this.options.counters.failures;
        if (failures) failures.set(reason, (failures.get(reason) ?? 0) + 1);
        this.reconnectLater();
      });
    }, delay);
  }

  /** "Install" and "start" at once: items installed, every desired instance active; report the delta. */
  async apply(channel, desired) {
    const previous = this.items;
    this.items = new Map(desired.items.map((item) => [item.item.id, item.version]));
    this.desiredInstances = desired.instances;
    const items = [...this.itemStatuses()];
    for (const [id, version] of previous) {
      if (this.items.get(id) !== version) items.push({ item: { id }, version, state: 'removed' });
    }
    await channel.send({ messageType: 'unitStatus', isDeltaInfo: true, items, instances: this.instanceStatuses() });
    for (const version of new Set(this.items.values())) this.options.onActive(this, version);
  }

  itemStatuses() {
    return [...this.items].map(([id, version]) => ({ item: { id }, version, state: 'installed' }));
  }

  instanceStatuses() {
    return this.desiredInstances
      .filter((instance) => instance.item.id !== undefined && this.items.has(instance.item.id))
      .map((instance) => ({
        item: instance.item,
        subject: instance.subject,
        version: this.items.get(instance.item.id),
        instances: Array.from({ length: instance.numInstances }, (_, index) => ({
          node: NODE,
          runtime: RUNTIME,
          instance: index,
          state: 'active',
        })),
      }));
  }

  fullStatus() {
    return {
      messageType: 'unitStatus',
      isDeltaInfo: false,
      items: this.itemStatuses(),
      instances: this.instanceStatuses(),
    };
  }

  monitoringData() {
    const timestamp = new Date().toISOString();
    return {
      messageType: 'monitoringData',
      nodes: [
        {
          node: NODE,
          items: [
            {
              timestamp,
              ram: 180_000_000 + Math.floor(Math.random() * 1e6),
              cpu: 1200,
              partitions: [{ name: 'storages', usedSize: 5e7 }],
            },
          ],
        },
      ],
    };
  }

  /** Drop the socket without a close handshake (a network cut): the unit reconnects on its own. */
  drop() {
    this.socket?.terminate();
  }

  async stop() {
    this.isStopping = true;
    clearInterval(this.monitoring);
    if (this.channel && this.isOpen) {
      this.channel.close('bench done');
      await this.channel.closed;
    }
  }
}
