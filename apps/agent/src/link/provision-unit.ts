/**
 * Provisioning (docs/unit-channel.md): the unit opens `/ws/v7/provisioning?systemId=<id>` with the
 * one-time token, makes its own key pair when the cloud sends `startProvisioningRequest` and
 * answers with a CSR, then checks the chain of `finishProvisioningRequest` (the leaf holds its
 * key, names this unit and chains to the CA the cloud gave), stores its identity and answers
 * `finishProvisioningResponse`. The private key never leaves this process but to the key file.
 */
import { createPrivateKey } from 'node:crypto';
import { createCertificateRequest, readPemCertificates, verifyCertificateChain } from '@openaos/pki';
import { CLOUD_HTTP_PATHS } from '@openaos/protocol';
import { createChannel, DEFAULT_CHANNEL_LIMITS, type MessageOf } from '@openaos/protocol/v7';
import { AgentError, describeError } from '../errors.js';
import { hasIdentity } from './identity-paths.js';
import { writeIdentity } from './identity-store.js';
import { openSocket, webSocketUrl } from './open-socket.js';

export interface ProvisionOptions {
  cloudUrl: string;
  token: string;
  systemId: string;
  identityDir: string;
  /** Replace an existing identity. */
  force?: boolean;
  /** The whole exchange must end within this (default 120 s). */
  timeoutMs?: number;
  log?: (message: string) => void;
}

export interface ProvisionResult {
  systemId: string;
  cloudUrl: string;
  identityDir: string;
  /** SHA-256 fingerprint of the unit certificate (as the cloud records it). */
  fingerprint: string;
}

const CERTIFICATE_TYPE = 'online';

/** Check the issued chain and return the PEM to store: leaf + chain, and the CA to trust. */
export function checkIssuedChain(
  chainPem: string,
  privateKeyPem: string,
  systemId: string,
): { chainPem: string; caPem: string; fingerprint: string } {
  const certificates = readPemCertificates(chainPem);
  const key = createPrivateKey(privateKeyPem);
  const leaf = certificates.find((certificate) => certificate.checkPrivateKey(key));
  if (!leaf) throw new Error('no certificate of the chain holds the key this unit made');
  const others = certificates.filter((certificate) => certificate !== leaf);
  const ca = others.at(-1);
  if (!ca) throw new Error('the chain holds no CA certificate after the unit certificate');
  verifyCertificateChain(leaf, others.slice(0, -1), [ca]);
  const commonName = /^CN=(.*)$/m.exec(leaf.subject)?.[1];
  if (commonName !== systemId)
    throw new Error(`the certificate names unit ${JSON.stringify(commonName)}, this is ${JSON.stringify(systemId)}`);
  return {
    chainPem: [leaf, ...others].map((certificate) => certificate.toString()).join(''),
    caPem: ca.toString(),
    fingerprint: leaf.fingerprint256,
  };
}

/** Run the provisioning exchange and store the identity; rejects with a clear AgentError (CloudRefusal for HTTP refusals). */
export async function provisionUnit(options: ProvisionOptions): Promise<ProvisionResult> {
  const log = options.log ?? (() => undefined);
  if (!options.force && (await hasIdentity(options.identityDir)))
    throw new AgentError(
      'provisioning-failed',
      `provisioning: this unit already has an identity in ${options.identityDir}; to replace it, ask the cloud for a new token and run again with --force`,
    );
  const url = webSocketUrl(options.cloudUrl, CLOUD_HTTP_PATHS.unitProvisioning);
  url.searchParams.set('systemId', options.systemId);
  const socket = await openSocket(url, {
    authorization: `Bearer ${options.token}`,
    maxPayload: DEFAULT_CHANNEL_LIMITS.maxFrameBytes,
    what: `provisioning ${options.systemId} at ${options.cloudUrl}`,
  });
  const channel = createChannel(socket, {
    side: 'unit',
    systemId: options.systemId,
    onError: (error) => log(`provisioning: ${error.message}`),
  });
  let privateKeyPem: string | undefined;
  let result: ProvisionResult | undefined;
  let failure: Error | undefined;
  const fail = (message: string) => {
    failure ??= new AgentError('provisioning-failed', `provisioning ${options.systemId}: ${message}`);
  };

  channel.on('startProvisioningRequest', async (data, context) => {
    const request = createCertificateRequest({ commonName: options.systemId });
    privateKeyPem = request.privateKeyPem;
    log('provisioning: made the unit key; sending its certificate request');
    await context.reply({
      messageType: 'startProvisioningResponse',
      node: data.node,
      csrs: [{ type: CERTIFICATE_TYPE, csr: request.csrPem }],
    });
  });

  channel.on('finishProvisioningRequest', async (data: MessageOf<'finishProvisioningRequest'>, context) => {
    const issued = data.certificates.find((certificate) => certificate.type === CERTIFICATE_TYPE);
    try {
      if (!privateKeyPem) throw new Error('finishProvisioningRequest came before startProvisioningRequest');
      if (!issued) throw new Error(`no "${CERTIFICATE_TYPE}" certificate in finishProvisioningRequest`);
      const checked = checkIssuedChain(issued.chain, privateKeyPem, options.systemId);
      await writeIdentity(options.identityDir, {
        cloudUrl: options.cloudUrl,
        systemId: options.systemId,
        keyPem: privateKeyPem,
        chainPem: checked.chainPem,
        caPem: checked.caPem,
      });
      result = {
        systemId: options.systemId,
        cloudUrl: options.cloudUrl,
        identityDir: options.identityDir,
        fingerprint: checked.fingerprint,
      };
      log(`provisioning: identity stored in ${options.identityDir}`);
      await context.reply({ messageType: 'finishProvisioningResponse', node: data.node });
    } catch (error) {
      fail(`the issued certificate was refused: ${describeError(error)}`);
      await context
        .reply({
          messageType: 'finishProvisioningResponse',
          node: data.node,
          errorInfo: { message: describeError(error) },
        })
        .catch(() => undefined);
      channel.close('provisioning refused by the unit');
      return;
    }
    channel.close('provisioned');
  });

  const timer = setTimeout(() => {
    fail(`no complete exchange within ${(options.timeoutMs ?? 120_000) / 1000} s`);
    channel.close('provisioning timed out');
  }, options.timeoutMs ?? 120_000);
  socket.resume(); // every handler is attached (openSocket hands it over paused)
  const closed = await channel.closed;
  clearTimeout(timer);
  if (failure) throw failure;
  if (!result)
    throw new AgentError(
      'provisioning-failed',
      `provisioning ${options.systemId}: the cloud closed the connection before issuing a certificate (${closed.code}${closed.reason ? ` ${closed.reason}` : ''})`,
    );
  return result;
}
