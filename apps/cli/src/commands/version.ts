import { callCloud, createCloudClient, type CloudOutputs } from '../cloud/cloud-client.js';
import { resolveCloudTarget, type CloudTargetOptions } from '../cloud/cloud-settings.js';

export type VersionView = CloudOutputs['versions']['list'][number];

/** The uploaded versions of a service, newest first, with state and image digest. */
export async function runVersionList(options: CloudTargetOptions & { serviceId: string }): Promise<VersionView[]> {
  const action = `listing versions of service ${options.serviceId}`;
  const target = await resolveCloudTarget({ ...options, role: options.role ?? 'sp' }, action);
  return callCloud(action, target.url, () =>
    createCloudClient(target).versions.list.query({ serviceId: options.serviceId }),
  );
}

/** Approve a ready version for the fleet (OEM). Recorded only: no unit gets versions until the unit link exists. */
export async function runVersionApprove(
  options: CloudTargetOptions & { id: string },
): Promise<CloudOutputs['versions']['approve']> {
  const action = `approving version ${options.id}`;
  const target = await resolveCloudTarget({ ...options, role: 'oem' }, action);
  return callCloud(action, target.url, () => createCloudClient(target).versions.approve.mutate({ id: options.id }));
}
