import { randomBytes } from 'node:crypto';
import { createChannel, type ChannelLimits } from '@openaos/protocol/v7';
import type { WebSocket } from 'ws';
import type { CloudDependencies } from '../dependencies.js';
import type { ProvisioningUnit } from '../domain/provisioning/consume-token.js';
import { issueUnitCertificate, markUnitProvisioned } from '../domain/provisioning/issue-unit-certificate.js';

const NODE = { codename: 'main' };
/**
 * How long the cloud lets a fresh provisioning socket settle before its first message. A client
 * that attaches its listener a tick after `open` (instead of in it, as docs/unit-channel.md asks)
 * would miss a frame that came with the upgrade response and wait 10 s for the resend; this
 * pause spares it that. Correctness does not depend on it: the resend still comes.
 */
const FIRST_MESSAGE_DELAY_MS = 100;

/**
 * Drive the v7 provisioning exchange on an upgraded socket whose token was consumed
 * (docs/unit-channel.md "Provisioning"): startProvisioningRequest → the unit's CSR → the
 * certificate issued with the cloud CA (recorded on the unit, replacing any earlier one) →
 * finishProvisioningRequest with the chain → the unit confirms → provisioned, socket closed
 * normally. Any failure closes the socket with a short reason; never throws.
 */
export async function runProvisioning(
  deps: CloudDependencies,
  unit: ProvisioningUnit,
  socket: WebSocket,
  options: { limits?: Partial<ChannelLimits> | undefined; log: (message: string) => void },
): Promise<void> {
  const channel = createChannel(socket, {
    side: 'cloud',
    systemId: unit.systemId,
    ...(options.limits && { limits: options.limits }),
    onError: (error) => options.log(`provisioning unit ${unit.systemId}: ${error.message}`),
  });
  const fail = (reason: string, detail: string) => {
    options.log(`provisioning unit ${unit.systemId} failed: ${detail}`);
    channel.close(reason);
  };
  try {
    await new Promise((resolve) => setTimeout(resolve, FIRST_MESSAGE_DELAY_MS));
    if (channel.stats().state !== 'open') return;
    const password = randomBytes(18).toString('base64url');
    const started = await channel.request({ messageType: 'startProvisioningRequest', node: NODE, password });
    if (started.errorInfo?.message) return fail('unit failed to start provisioning', started.errorInfo.message);
    const request = started.csrs.find((csr) => csr.type === 'online') ?? started.csrs[0];
    if (!request) return fail('no CSR received', 'startProvisioningResponse carried no CSR');
    let issued: { chainPem: string };
    try {
      issued = await issueUnitCertificate(deps, unit, request.csr);
    } catch (error) {
      return fail('invalid CSR', (error as Error).message);
    }
    // Sockets still open with an earlier certificate of this unit close (see the gateway's check).
    await deps.unitEvents.announce({ kind: 'revoked', unitIds: [unit.id] });
    const finished = await channel.request({
      messageType: 'finishProvisioningRequest',
      node: NODE,
      certificates: [{ type: 'online', chain: issued.chainPem }],
      password,
    });
    if (finished.errorInfo?.message) return fail('unit failed to store its identity', finished.errorInfo.message);
    await markUnitProvisioned(deps, unit.id);
    await deps.unitEvents.announce({ kind: 'status-changed', unitIds: [unit.id] });
    channel.close('provisioned');
  } catch (error) {
    fail('provisioning failed', error instanceof Error ? error.message : String(error));
  }
}
