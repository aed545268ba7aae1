import { callCloud, createCloudClient, type CloudOutputs } from '../cloud/cloud-client.js';
import { resolveCloudTarget, type CloudTargetOptions } from '../cloud/cloud-settings.js';

export type UnitSetView = CloudOutputs['unitSets']['list'][number];

export async function runUnitSetList(options: CloudTargetOptions): Promise<UnitSetView[]> {
  const action = 'listing unit sets';
  const target = await resolveCloudTarget({ ...options, role: 'oem' }, action);
  return callCloud(action, target.url, () => createCloudClient(target).unitSets.list.query());
}

export async function runUnitSetShow(
  options: CloudTargetOptions & { id: string },
): Promise<CloudOutputs['unitSets']['get']> {
  const action = `reading unit set ${options.id}`;
  const target = await resolveCloudTarget({ ...options, role: 'oem' }, action);
  return callCloud(action, target.url, () => createCloudClient(target).unitSets.get.query({ id: options.id }));
}

/** Create a unit set. A verification set is to get new versions before OEM approval, once the unit link exists. */
export async function runUnitSetCreate(
  options: CloudTargetOptions & { name: string; isVerificationSet?: boolean },
): Promise<CloudOutputs['unitSets']['create']> {
  const action = `creating unit set "${options.name}"`;
  const target = await resolveCloudTarget({ ...options, role: 'oem' }, action);
  const input = {
    name: options.name,
    ...(options.isVerificationSet !== undefined ? { isVerificationSet: options.isVerificationSet } : {}),
  };
  return callCloud(action, target.url, () => createCloudClient(target).unitSets.create.mutate(input));
}

/** Add units to a unit set; returns the set as it is afterwards. */
export async function runUnitSetAddUnits(
  options: CloudTargetOptions & { id: string; unitIds: string[] },
): Promise<CloudOutputs['unitSets']['get']> {
  const action = `adding units to unit set ${options.id}`;
  const target = await resolveCloudTarget({ ...options, role: 'oem' }, action);
  const client = createCloudClient(target);
  return callCloud(action, target.url, async () => {
    await client.unitSets.addUnits.mutate({ id: options.id, unitIds: options.unitIds });
    return client.unitSets.get.query({ id: options.id });
  });
}

/** Remove units from a unit set; returns the set as it is afterwards. */
export async function runUnitSetRemoveUnits(
  options: CloudTargetOptions & { id: string; unitIds: string[] },
): Promise<CloudOutputs['unitSets']['get']> {
  const action = `removing units from unit set ${options.id}`;
  const target = await resolveCloudTarget({ ...options, role: 'oem' }, action);
  const client = createCloudClient(target);
  return callCloud(action, target.url, async () => {
    await client.unitSets.removeUnits.mutate({ id: options.id, unitIds: options.unitIds });
    return client.unitSets.get.query({ id: options.id });
  });
}
