/**
 * A small cloud for the agent's tests: a real `ws` WebSocket server and HTTP blob server on one
 * port, with a real CA, that plays the cloud's side of docs/unit-channel.md — provisioning with
 * one-time tokens, `AosCert` proofs checked at the upgrade and on every blob request (chain to
 * the CA, the unit's current certificate, method and path, fresh single-use nonce), signed desired
 * statuses with generations, `requestBlobUrls` → `blobUrls`, ranged blob downloads. Hooks let a
 * test refuse, interrupt or tamper. Not the real cloud (packages/api): the lead's end-to-end tests
 * use that; this keeps the agent's tests self-contained and fast.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  createCertificateAuthority,
  decodeJws,
  issueDesiredStatusSigner,
  issueUnitCertificateFromRequest,
  readPemCredential,
  readX5c,
  verifyCertificateChain,
  verifyJws,
  type CertificateAuthority,
  type Credential,
} from '@openaos/pki';
import {
  certificateTokenPayloadSchema,
  CLOUD_HTTP_PATHS,
  readCertificateAuthorization,
  unitBlobPath,
} from '@openaos/protocol';
import {
  createChannel,
  createPlainBlobInfo,
  signDesiredStatus,
  type Alert,
  type CloudChannel,
  type ChannelLimits,
  type DesiredStatus,
  type MessageInput,
  type MessageOf,
} from '@openaos/protocol/v7';
import { WebSocketServer, type WebSocket } from 'ws';

/** What the cloud knows of the unit after folding its statuses: full ones replace, deltas update. */
export interface UnitView {
  items: Map<string, NonNullable<MessageOf<'unitStatus'>['items']>[number]>;
  /** By `<item>/<subject>/<version>`. */
  instances: Map<string, NonNullable<MessageOf<'unitStatus'>['instances']>[number]>;
}

function foldStatus(view: UnitView, status: MessageOf<'unitStatus'>): void {
  if (!status.isDeltaInfo) {
    view.items.clear();
    view.instances.clear();
  }
  for (const item of status.items ?? []) view.items.set(`${item.item.id ?? item.item.codename}@${item.version}`, item);
  for (const group of status.instances ?? [])
    view.instances.set(
      `${group.item.id ?? group.item.codename}/${group.subject.id ?? group.subject.codename}/${group.version}`,
      group,
    );
}

/** The instance states of an item in a view, e.g. `['active']`. */
export function instanceStates(view: UnitView, itemId: string, version?: string): string[] {
  return [...view.instances.values()]
    .filter((group) => group.item.id === itemId && (version === undefined || group.version === version))
    .flatMap((group) => group.instances.map((instance) => instance.state));
}

export interface PeerConnection {
  /** The unit's state as folded from every status received on this connection. */
  view: UnitView;
  /** Resolves once the view (after some status) satisfies `check`. */
  waitForView(check: (view: UnitView) => boolean, what?: string): Promise<UnitView>;
  systemId: string;
  channel: CloudChannel;
  /** Every unitStatus received on this connection, in order. */
  statuses: Array<MessageOf<'unitStatus'>>;
  alerts: Alert[];
  blobRequests: string[][];
  waitForMonitoring(
    check: (data: MessageOf<'monitoringData'>) => boolean,
    what?: string,
  ): Promise<MessageOf<'monitoringData'>>;
  /** Resolves with the first status (received so far or later) that `check` accepts. */
  waitForStatus(check: (status: MessageOf<'unitStatus'>) => boolean, what?: string): Promise<MessageOf<'unitStatus'>>;
  waitForAlert(check: (alert: Alert) => boolean, what?: string): Promise<Alert>;
  /** Sign (next generation unless given) and send; resolves on the unit's ack. */
  sendDesired(
    data: MessageInput<'desiredStatus'>,
    options?: { generation?: number; signer?: Credential },
  ): Promise<DesiredStatus>;
  /** Send a desired status exactly as given (already signed, or tampered). */
  sendRaw(data: DesiredStatus): Promise<void>;
  /** Drop the socket without a close frame (a network cut). */
  cut(): void;
}

export interface BlobRequestLog {
  path: string;
  range?: string;
  status: number;
  authorized: boolean;
}

interface Waiter<T> {
  check: (value: T) => boolean;
  resolve: (value: T) => void;
}

/** Wake waiters on a growing list: a waiter is resolved by an item already there or by the next one that matches. */
function createWatchList<T>() {
  const items: T[] = [];
  const waiters = new Set<Waiter<T>>();
  return {
    items,
    push(value: T) {
      items.push(value);
      for (const waiter of [...waiters])
        if (waiter.check(value)) {
          waiters.delete(waiter);
          waiter.resolve(value);
        }
    },
    wait(check: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
      const found = items.find(check);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(`cloud peer: timed out waiting for ${what}; got ${JSON.stringify(items.slice(-3), null, 1)}`),
          );
        }, timeoutMs);
        const waiter: Waiter<T> = {
          check,
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value);
          },
        };
        waiters.add(waiter);
      });
    },
  };
}

export interface CloudPeerOptions {
  limits?: Partial<ChannelLimits>;
  /** false: the server never answers pings (a half-open link, as the unit sees it). Default true. */
  autoPong?: boolean;
  /** Share another peer's CA and units (a second cloud process of the same cloud). */
  sameCloudAs?: { ca: CertificateAuthority; units: Map<string, { fingerprint: string; generation: number }> };
}

export async function startCloudPeer(options: CloudPeerOptions = {}) {
  const ca: CertificateAuthority =
    options.sameCloudAs?.ca ?? createCertificateAuthority({ commonName: 'Peer Cloud CA', organization: 'peer.test' });
  const caCertificate = new X509Certificate(ca.certificatePem);
  const issuedSigner = issueDesiredStatusSigner(ca);
  const signer = readPemCredential(
    issuedSigner.privateKeyPem,
    [issuedSigner.certificatePem, ...issuedSigner.chainPem].join(''),
  );
  const tokens = new Map<string, { systemId: string; isUsed: boolean }>();
  const units = options.sameCloudAs?.units ?? new Map<string, { fingerprint: string; generation: number }>();
  const blobs = new Map<string, Buffer>();
  const usedNonces = new Set<string>();
  const upgradeRefusals: Array<{ status: number; code: string; message: string }> = [];
  const blobRequests: BlobRequestLog[] = [];
  /** Per digest: end the next response after this many bytes (a network cut). */
  const interruptions = new Map<string, number>();
  const connections = createWatchList<PeerConnection>();
  const upgrades: Array<{ path: string; status: number }> = [];
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024, autoPong: options.autoPong ?? true });

  const refuse = (response: ServerResponse, status: number, code: string, message: string) => {
    response.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
    response.end(JSON.stringify({ code, message }));
  };

  /** Check an `AosCert` proof for `method path`; the unit's systemId, or a refusal. */
  function checkProof(
    header: string | undefined,
    method: string,
    path: string,
  ): { systemId: string } | { status: number; message: string } {
    const token = readCertificateAuthorization(header);
    if (!token) return { status: 401, message: 'no AosCert proof' };
    try {
      const decoded = decodeJws(token);
      const [leaf, ...chain] = readX5c(decoded.header);
      if (!leaf) return { status: 401, message: 'no certificate in the proof' };
      verifyCertificateChain(leaf, chain, [caCertificate]);
      const payload = certificateTokenPayloadSchema.parse(verifyJws(token, leaf));
      const systemId = /^CN=(.*)$/m.exec(leaf.subject)?.[1] ?? '';
      const unit = units.get(systemId);
      if (!unit || unit.fingerprint !== leaf.fingerprint256) return { status: 401, message: 'not a provisioned unit' };
      const now = Math.floor(Date.now() / 1000);
      if (payload.method !== method || payload.path !== path)
        return { status: 401, message: 'proof for another request' };
      if (payload.exp < now - 60 || payload.iat > now + 60) return { status: 401, message: 'stale proof' };
      if (usedNonces.has(payload.nonce)) return { status: 401, message: 'replayed proof' };
      usedNonces.add(payload.nonce);
      return { systemId };
    } catch (error) {
      return { status: 401, message: `bad proof: ${(error as Error).message}` };
    }
  }

  function serveBlob(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '').split('?')[0] ?? '';
    const proof = checkProof(request.headers.authorization, 'GET', path);
    const log: BlobRequestLog = {
      path,
      status: 0,
      authorized: 'systemId' in proof,
      ...(request.headers.range ? { range: request.headers.range } : {}),
    };
    blobRequests.push(log);
    if (!('systemId' in proof)) {
      log.status = proof.status;
      return refuse(response, proof.status, 'unauthorized', proof.message);
    }
    const digest = `sha256:${path.slice(CLOUD_HTTP_PATHS.unitBlobs.length)}`;
    const blob = blobs.get(digest);
    if (!blob) {
      log.status = 404;
      return refuse(response, 404, 'not-found', 'no such blob');
    }
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= blob.length && blob.length > 0) {
      log.status = 416;
      return refuse(response, 416, 'range', 'range not satisfiable');
    }
    const body = blob.subarray(start);
    log.status = range ? 206 : 200;
    response.writeHead(log.status, {
      'content-type': 'application/octet-stream',
      'content-length': String(body.length),
      ...(range ? { 'content-range': `bytes ${start}-${blob.length - 1}/${blob.length}` } : {}),
    });
    const cutAfter = interruptions.get(digest);
    if (cutAfter !== undefined) {
      interruptions.delete(digest);
      response.write(body.subarray(0, cutAfter), () => response.destroy());
      return;
    }
    response.end(body);
  }

  const server = createServer((request, response) => {
    if ((request.url ?? '').startsWith(CLOUD_HTTP_PATHS.unitBlobs)) serveBlob(request, response);
    else refuse(response, 404, 'not-found', 'no such path');
  });

  function attachProvisioning(socket: WebSocket, systemId: string): void {
    const channel = createChannel(socket, {
      side: 'cloud',
      systemId,
      ...(options.limits ? { limits: options.limits } : {}),
    });
    void (async () => {
      const started = await channel.request({
        messageType: 'startProvisioningRequest',
        node: { codename: 'main' },
        password: 'one-time',
      });
      const csr = started.csrs.find((entry) => entry.type === 'online');
      if (!csr) return channel.close('no csr');
      const issued = issueUnitCertificateFromRequest(ca, { csrPem: csr.csr, systemId });
      const finished = await channel.request({
        messageType: 'finishProvisioningRequest',
        node: { codename: 'main' },
        certificates: [{ type: 'online', chain: [issued.certificatePem, ...issued.chainPem].join('') }],
        password: 'one-time',
      });
      if (!finished.errorInfo) units.set(systemId, { fingerprint: issued.fingerprint256, generation: 0 });
      channel.close('provisioned');
    })().catch(() => channel.close('provisioning failed'));
  }

  function attachUnit(socket: WebSocket, systemId: string): void {
    const channel = createChannel(socket, {
      side: 'cloud',
      systemId,
      ...(options.limits ? { limits: options.limits } : {}),
    });
    const statuses = createWatchList<MessageOf<'unitStatus'>>();
    const alerts = createWatchList<Alert>();
    const requests: string[][] = [];
    const view: UnitView = { items: new Map(), instances: new Map() };
    const views = createWatchList<UnitView>();
    channel.on('unitStatus', (data) => {
      foldStatus(view, data);
      statuses.push(data);
      views.push(view);
    });
    channel.on('alerts', (data) => data.items.forEach((alert) => alerts.push(alert)));
    const monitoring = createWatchList<MessageOf<'monitoringData'>>();
    channel.on('monitoringData', (data) => monitoring.push(data));
    channel.on('requestBlobUrls', async (data, context) => {
      requests.push(data.digests);
      const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const items = data.digests.flatMap((digest) => {
        const blob = blobs.get(digest);
        if (!blob) return [];
        return [
          createPlainBlobInfo({
            digest,
            size: blob.length,
            urls: [`${host}${unitBlobPath(digest)}`],
            sha3_256: createHash('sha3-256').update(blob).digest(),
          }),
        ];
      });
      await context.reply({ messageType: 'blobUrls', items });
    });
    const unit = units.get(systemId);
    const connection: PeerConnection = {
      systemId,
      channel,
      view,
      waitForView: (check, what = 'a unit view') =>
        views.wait(check, what).catch((error: unknown) => {
          throw new Error(
            `${(error as Error).message.split(';')[0]}; the unit's view: ${JSON.stringify({ items: [...view.items.values()], instances: [...view.instances.values()] }, null, 1)}`,
          );
        }),
      statuses: statuses.items,
      alerts: alerts.items,
      blobRequests: requests,
      waitForStatus: (check, what = 'a unit status') => statuses.wait(check, what),
      waitForAlert: (check, what = 'an alert') => alerts.wait(check, what),
      waitForMonitoring: (check, what = 'monitoring data') => monitoring.wait(check, what),
      async sendDesired(data, sendOptions = {}) {
        if (!unit) throw new Error('unknown unit');
        const generation = sendOptions.generation ?? unit.generation + 1;
        unit.generation = Math.max(unit.generation, generation);
        const signed = signDesiredStatus(data, { systemId, generation, credential: sendOptions.signer ?? signer });
        await channel.send(signed);
        return signed;
      },
      sendRaw: (data) => channel.send(data),
      cut: () => socket.terminate(),
    };
    connections.push(connection);
  }

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://peer');
    const answer = (status: number, code: string, message: string) => {
      upgrades.push({ path: url.pathname, status });
      const body = JSON.stringify({ code, message });
      socket.end(
        `HTTP/1.1 ${status} Refused\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    };
    const forced = upgradeRefusals.shift();
    if (forced) return answer(forced.status, forced.code, forced.message);
    if (url.pathname === CLOUD_HTTP_PATHS.unitProvisioning) {
      const systemId = url.searchParams.get('systemId') ?? '';
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      const entry = tokens.get(token);
      if (!entry) return answer(401, 'bad-token', 'the provisioning token is unknown; ask the cloud for a new one');
      if (entry.systemId !== systemId)
        return answer(403, 'wrong-unit', `the token is for another unit, not ${systemId}`);
      if (entry.isUsed) return answer(409, 'token-used', 'the provisioning token was already used; ask for a new one');
      entry.isUsed = true;
      upgrades.push({ path: url.pathname, status: 101 });
      wss.handleUpgrade(request, socket, head, (ws) => {
        sockets.add(ws);
        attachProvisioning(ws, systemId);
      });
      return;
    }
    if (url.pathname === CLOUD_HTTP_PATHS.unitChannel) {
      const proof = checkProof(request.headers.authorization, 'GET', url.pathname);
      if (!('systemId' in proof)) return answer(proof.status, 'unauthorized', proof.message);
      upgrades.push({ path: url.pathname, status: 101 });
      wss.handleUpgrade(request, socket, head, (ws) => {
        sockets.add(ws);
        ws.on('close', () => sockets.delete(ws));
        attachUnit(ws, proof.systemId);
      });
      return;
    }
    answer(404, 'not-found', 'no such path');
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    ca,
    signer,
    blobs,
    blobRequests,
    upgrades,
    units,
    /** A one-time provisioning token for `systemId`. */
    issueToken(systemId: string): string {
      const token = `token-${systemId}-${Math.random().toString(36).slice(2)}`;
      tokens.set(token, { systemId, isUsed: false });
      return token;
    },
    /** Answer the next upgrade (any path) with this refusal. */
    refuseNextUpgrade(status: number, code: string, message: string): void {
      upgradeRefusals.push({ status, code, message });
    },
    /** End the next download of `digest` after `bytes` bytes. */
    interruptNextDownload(digest: string, bytes: number): void {
      interruptions.set(digest, bytes);
    },
    /**
     * Serve an image layout (test/helpers.ts buildTestImage) as the cloud does: every blob, plus
     * an OCI index naming its manifest for linux/amd64 (and a decoy for arm64). Returns the index digest.
     */
    async publishImage(directory: string, manifestDigest: string): Promise<string> {
      const dir = join(directory, 'blobs', 'sha256');
      for (const name of await readdir(dir)) blobs.set(`sha256:${name}`, await readFile(join(dir, name)));
      const manifest = blobs.get(manifestDigest);
      if (!manifest) throw new Error(`no manifest ${manifestDigest} in ${directory}`);
      const index = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: [
            {
              mediaType: 'application/vnd.oci.image.manifest.v1+json',
              digest: `sha256:${'0'.repeat(64)}`,
              size: 1,
              platform: { architecture: 'arm64', os: 'linux' },
            },
            {
              mediaType: 'application/vnd.oci.image.manifest.v1+json',
              digest: manifestDigest,
              size: manifest.length,
              platform: { architecture: 'amd64', os: 'linux' },
            },
          ],
        }),
      );
      const indexDigest = `sha256:${createHash('sha256').update(index).digest('hex')}`;
      blobs.set(indexDigest, index);
      return indexDigest;
    },
    /** The next unit connection (or one already made, when `index` says which). */
    nextConnection(after = connections.items.length): Promise<PeerConnection> {
      return connections.wait((connection) => connections.items.indexOf(connection) >= after, 'a unit connection');
    },
    get connectionCount(): number {
      return connections.items.length;
    },
    /** Cut every unit socket and stop accepting (the cloud goes away); `start` again on the same port. */
    async stop(): Promise<void> {
      for (const socket of sockets) socket.terminate();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    async restart(): Promise<void> {
      const port = Number(new URL(url).port);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
    },
  };
}

export type CloudPeer = Awaited<ReturnType<typeof startCloudPeer>>;
