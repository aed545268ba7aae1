import { callCloud, createCloudClient, type CloudOutputs } from '../cloud/cloud-client.js';
import { resolveCloudTarget, type CloudTargetOptions } from '../cloud/cloud-settings.js';

export type UnitView = CloudOutputs['units']['list'][number];
export type UnitDetail = CloudOutputs['units']['get'];

/** The units of the credential's (OEM) organisation. */
export async function runUnitList(options: CloudTargetOptions): Promise<UnitView[]> {
  const action = 'listing units';
  const target = await resolveCloudTarget({ ...options, role: 'oem' }, action);
  return callCloud(action, target.url, () => createCloudClient(target).units.list.query());
}

export async function runUnitShow(options: CloudTargetOptions & { id: string }): Promise<UnitDetail> {
  const action = `reading unit ${options.id}`;
  const target = await resolveCloudTarget({ ...options, role: 'oem' }, action);
  return callCloud(action, target.url, () => createCloudClient(target).units.get.query({ id: options.id }));
}

/** Register a unit by its system ID before it is provisioned. */
export async function runUnitCreate(
  options: CloudTargetOptions & { systemId: string; model: string },
): Promise<CloudOutputs['units']['create']> {
  const action = `registering unit ${options.systemId}`;
  const target = await resolveCloudTarget({ ...options, role: 'oem' }, action);
  return callCloud(action, target.url, () =>
    createCloudClient(target).units.create.mutate({ systemId: options.systemId, model: options.model }),
  );
}

export async function runUnitRemove(
  options: CloudTargetOptions & { id: string },
): Promise<{ id: string; removed: true }> {
  const action = `removing unit ${options.id}`;
  const target = await resolveCloudTarget({ ...options, role: 'oem' }, action);
  await callCloud(action, target.url, () => createCloudClient(target).units.remove.mutate({ id: options.id }));
  return { id: options.id, removed: true };
}
