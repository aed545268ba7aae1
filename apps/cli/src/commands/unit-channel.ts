import { callCloud, createCloudClient, type CloudOutputs } from '../cloud/cloud-client.js';
import { resolveCloudTarget, type CloudTargetOptions } from '../cloud/cloud-settings.js';
import { CliError } from '../errors.js';

export type ProvisioningToken = CloudOutputs['units']['provisionToken'];
export type RevokedUnit = CloudOutputs['units']['revoke'];
export type UnitStatus = CloudOutputs['units']['status'];
export type FleetOverview = CloudOutputs['status']['overview'];
export type ServiceStatus = CloudOutputs['status']['service'];

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `--ttl`: whole seconds, or a number with s, m, h or d (`90s`, `30m`, `1h`, `7d`). */
export function parseTtl(value: string, action: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!match) {
    throw new CliError('usage', action, `--ttl "${value}" is not a duration`, {
      hint: 'give whole seconds or a number with s, m, h or d, e.g. --ttl 30m, --ttl 1h, --ttl 7d (from 1 minute to 7 days)',
    });
  }
  const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1);
  if (seconds < 60 || seconds > 7 * 86400) {
    throw new CliError('usage', action, `--ttl ${value} is out of range`, {
      hint: 'a provisioning token works from 1 minute (--ttl 1m) to 7 days (--ttl 7d)',
    });
  }
  return seconds;
}

/** A one-time provisioning token for a unit (by system ID or unit ID), with the command to run on the device. */
export async function runUnitProvisionToken(
  options: CloudTargetOptions & { unit: string; ttlSeconds?: number },
): Promise<ProvisioningToken> {
  const action = `creating a provisioning token for unit ${options.unit}`;
  const target = await resolveCloudTarget({ ...options, role: 'oem' }, action);
  return callCloud(action, target.url, () =>
    createCloudClient(target).units.provisionToken.mutate({
      unit: options.unit,
      // The address this CLI reached the cloud at; the cloud's OPENAOS_PUBLIC_URL wins when set.
      cloudUrl: target.url,
      ...(options.ttlSeconds !== undefined ? { ttlSeconds: options.ttlSeconds } : {}),
    }),
  );
}

/** Revoke a unit; refused without `yes` (it cuts the unit off until it is provisioned again). */
export async function runUnitRevoke(
  options: CloudTargetOptions & { unit: string; yes: boolean },
): Promise<RevokedUnit> {
  const action = `revoking unit ${options.unit}`;
  if (!options.yes) {
    throw new CliError('usage', action, 'revoking cuts the unit off from the cloud until it is provisioned again', {
      hint: `run \`aos unit revoke ${options.unit} --yes\` to confirm`,
    });
  }
  const target = await resolveCloudTarget({ ...options, role: 'oem' }, action);
  return callCloud(action, target.url, () => createCloudClient(target).units.revoke.mutate({ unit: options.unit }));
}

export type StatusResult =
  | { kind: 'fleet'; overview: FleetOverview }
  | { kind: 'unit'; unit: UnitStatus }
  | { kind: 'service'; service: ServiceStatus };

/** `aos status`: the fleet overview, one unit's services and instances, or one service's per-version counts. */
export async function runStatus(
  options: CloudTargetOptions & { unit?: string; serviceId?: string },
): Promise<StatusResult> {
  if (options.unit && options.serviceId) {
    throw new CliError('usage', 'showing status', '--unit and --service cannot be combined', {
      hint: 'give --unit <systemId> for one unit, or --service <id> for one service',
    });
  }
  const { unit, serviceId } = options;
  if (unit) {
    const action = `showing the status of unit ${unit}`;
    const target = await resolveCloudTarget({ ...options, role: 'oem' }, action);
    const status = await callCloud(action, target.url, () => createCloudClient(target).units.status.query({ unit }));
    return { kind: 'unit', unit: status };
  }
  if (serviceId) {
    const action = `showing the status of service ${serviceId}`;
    const target = await resolveCloudTarget(options, action);
    const status = await callCloud(action, target.url, () =>
      createCloudClient(target).status.service.query({ serviceId }),
    );
    return { kind: 'service', service: status };
  }
  const action = 'showing the fleet status';
  const target = await resolveCloudTarget(options, action);
  return {
    kind: 'fleet',
    overview: await callCloud(action, target.url, () => createCloudClient(target).status.overview.query()),
  };
}
