/**
 * Tests only: a unit as the cloud sees it, over a real `ws` client — provisions with its own key
 * and CSR, connects with a fresh AosCert proof, and speaks v7 through createChannel (unit side).
 * Used by the gateway tests here and in apps/cloud.
 */
import { createCertificateRequest, readPemCredential, type CertificateRequest, type Credential } from '@openaos/pki';
import {
  CLOUD_HTTP_PATHS,
  createCertificateToken,
  formatCertificateAuthorization,
  unitBlobPath,
  type UnitRefusal,
} from '@openaos/protocol';
import { createChannel, type ChannelLimits, type MessageInput, type UnitChannel } from '@openaos/protocol/v7';
import WebSocket from 'ws';

/** A refused upgrade: the HTTP status and JSON body the cloud answered with. */
export class UpgradeRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly body: UnitRefusal,
  ) {
    super(`refused with ${status}: ${body.code}: ${body.message}`);
  }
}

export interface TestUnitIdentity {
  systemId: string;
  credential: Credential;
  /** The chain the cloud sent (leaf + CA). */
  chainPem: string;
  privateKeyPem: string;
}

/**
 * Open a WebSocket and run `attach` in its `open` event, synchronously: the cloud may send its
 * first message right behind the upgrade response, and a listener added a tick later misses it.
 * Resolves with what `attach` returns; rejects with UpgradeRefusedError when the cloud refuses.
 */
export function openSocket<T>(
  url: string,
  headers: Record<string, string>,
  attach: (socket: WebSocket) => T,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve(attach(socket)));
    socket.once('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        let body: UnitRefusal = { code: 'unreadable', message: Buffer.concat(chunks).toString('utf8') };
        try {
          body = JSON.parse(body.message) as UnitRefusal;
        } catch {
          // Not JSON: keep the text.
        }
        reject(new UpgradeRefusedError(response.statusCode ?? 0, body));
      });
      response.on('error', reject);
    });
    socket.once('error', reject);
  });
}

function wsUrl(cloudUrl: string, path: string): string {
  return cloudUrl.replace(/^http/, 'ws').replace(/\/+$/, '') + path;
}

/**
 * Provision a unit as aos-agent does: open `/ws/v7/provisioning?systemId=` with the token, answer
 * startProvisioningRequest with a CSR of a fresh key, take the chain from finishProvisioningRequest,
 * answer it, and wait for the cloud to close. Resolves with the identity.
 */
export async function provisionTestUnit(options: {
  cloudUrl: string;
  systemId: string;
  token: string;
  /** Make the CSR with this common name (default: the systemId; the cloud must ignore it). */
  csrCommonName?: string;
  /** Send this request (key and CSR) instead of a fresh one: many simulated units may share a key. */
  request?: CertificateRequest;
}): Promise<TestUnitIdentity> {
  const request =
    options.request ?? createCertificateRequest({ commonName: options.csrCommonName ?? options.systemId });
  let chainPem: string | undefined;
  const attach = (socket: WebSocket) => {
    const opened = createChannel(socket, { side: 'unit', systemId: options.systemId, limits: { pingIntervalMs: 0 } });
    opened.on('startProvisioningRequest', async (data, context) => {
      await context.reply({
        messageType: 'startProvisioningResponse',
        node: data.node,
        csrs: [{ type: 'online', csr: request.csrPem }],
      });
    });
    opened.on('finishProvisioningRequest', async (data, context) => {
      chainPem = data.certificates.find((certificate) => certificate.type === 'online')?.chain;
      await context.reply({ messageType: 'finishProvisioningResponse', node: data.node });
    });
    return opened;
  };
  const channel = await openSocket(
    wsUrl(options.cloudUrl, `${CLOUD_HTTP_PATHS.unitProvisioning}?systemId=${encodeURIComponent(options.systemId)}`),
    { Authorization: `Bearer ${options.token}` },
    attach,
  );
  const closed = await channel.closed;
  if (!chainPem)
    throw new Error(`provisioning ${options.systemId}: closed without a certificate (${closed.code} ${closed.reason})`);
  return {
    systemId: options.systemId,
    credential: readPemCredential(request.privateKeyPem, chainPem),
    chainPem,
    privateKeyPem: request.privateKeyPem,
  };
}

export interface TestUnit {
  channel: UnitChannel;
  socket: WebSocket;
  /** Every desiredStatus received, as received (rawData). */
  desiredStatuses: Record<string, unknown>[];
  /** Resolves with the first desiredStatus received (now or later) that matches. */
  waitForDesiredStatus(match?: (data: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  sendStatus(status: Omit<MessageInput<'unitStatus'>, 'messageType'>): Promise<void>;
  close(): Promise<void>;
}

/** The Authorization header of a unit request (a fresh proof for this method and path). */
export function unitAuthorization(credential: Credential, method: string, path: string): string {
  return formatCertificateAuthorization(createCertificateToken(credential, { method, path }));
}

/** Connect a provisioned unit to `/ws/v7/` with a fresh proof (or the one given, to test replays). */
export async function connectTestUnit(options: {
  cloudUrl: string;
  identity: TestUnitIdentity;
  authorization?: string;
  limits?: Partial<ChannelLimits>;
  /** Send a full (empty) unitStatus right after connecting, as an agent does. Default true. */
  sendInitialStatus?: boolean;
  /** Called with each desiredStatus received (after it is recorded): a simulated agent answers here. */
  onDesiredStatus?: (data: Record<string, unknown>) => void;
}): Promise<TestUnit> {
  const authorization =
    options.authorization ?? unitAuthorization(options.identity.credential, 'GET', CLOUD_HTTP_PATHS.unitChannel);
  const desiredStatuses: Record<string, unknown>[] = [];
  const waiters = new Set<{
    match: (data: Record<string, unknown>) => boolean;
    resolve: (data: Record<string, unknown>) => void;
  }>();
  const { socket, channel } = await openSocket(
    wsUrl(options.cloudUrl, CLOUD_HTTP_PATHS.unitChannel),
    { Authorization: authorization },
    (opened) => {
      const created = createChannel(opened, {
        side: 'unit',
        systemId: options.identity.systemId,
        limits: { pingIntervalMs: 0, ...options.limits },
      });
      created.on('desiredStatus', (_data, context) => {
        desiredStatuses.push(context.rawData);
        options.onDesiredStatus?.(context.rawData);
        for (const waiter of [...waiters]) {
          if (waiter.match(context.rawData)) {
            waiters.delete(waiter);
            waiter.resolve(context.rawData);
          }
        }
      });
      return { socket: opened, channel: created };
    },
  );
  const unit: TestUnit = {
    channel,
    socket,
    desiredStatuses,
    waitForDesiredStatus(match = () => true) {
      const found = desiredStatuses.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.add({ match, resolve }));
    },
    sendStatus: (status) => channel.send({ messageType: 'unitStatus', ...status }),
    async close() {
      channel.close('test done');
      await channel.closed;
    },
  };
  if (options.sendInitialStatus ?? true) await unit.sendStatus({ isDeltaInfo: false, items: [], instances: [] });
  return unit;
}

/** GET a blob as the unit (fresh proof), optionally with a Range header. */
export function fetchUnitBlob(
  cloudUrl: string,
  identity: TestUnitIdentity,
  digest: string,
  options: { range?: string; authorization?: string } = {},
): Promise<Response> {
  const path = unitBlobPath(digest);
  return fetch(cloudUrl.replace(/\/+$/, '') + path, {
    headers: {
      Authorization: options.authorization ?? unitAuthorization(identity.credential, 'GET', path),
      ...(options.range !== undefined && { Range: options.range }),
    },
  });
}
