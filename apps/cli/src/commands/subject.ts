import { callCloud, createCloudClient, type CloudInputs, type CloudOutputs } from '../cloud/cloud-client.js';
import { resolveCloudTarget, type CloudTargetOptions } from '../cloud/cloud-settings.js';

export type SubjectView = CloudOutputs['subjects']['list'][number];
export type SubjectBinding = Omit<CloudInputs['subjects']['bind'], 'id'>;

export async function runSubjectList(options: CloudTargetOptions): Promise<SubjectView[]> {
  const action = 'listing subjects';
  const target = await resolveCloudTarget({ ...options, role: 'oem' }, action);
  return callCloud(action, target.url, () => createCloudClient(target).subjects.list.query());
}

export async function runSubjectShow(
  options: CloudTargetOptions & { id: string },
): Promise<CloudOutputs['subjects']['get']> {
  const action = `reading subject ${options.id}`;
  const target = await resolveCloudTarget({ ...options, role: 'oem' }, action);
  return callCloud(action, target.url, () => createCloudClient(target).subjects.get.query({ id: options.id }));
}

export async function runSubjectCreate(
  options: CloudTargetOptions & { name: string; type?: 'group' | 'user' },
): Promise<CloudOutputs['subjects']['create']> {
  const action = `creating subject "${options.name}"`;
  const target = await resolveCloudTarget({ ...options, role: 'oem' }, action);
  const input = { name: options.name, ...(options.type ? { type: options.type } : {}) };
  return callCloud(action, target.url, () => createCloudClient(target).subjects.create.mutate(input));
}

/** Bind services to units and unit sets through the subject (what deploys them). */
export async function runSubjectBind(
  options: CloudTargetOptions & SubjectBinding & { id: string; unbind?: boolean },
): Promise<CloudOutputs['subjects']['bind']> {
  const verb = options.unbind ? 'unbinding' : 'binding';
  const action = `${verb} subject ${options.id}`;
  const target = await resolveCloudTarget({ ...options, role: 'oem' }, action);
  const input = {
    id: options.id,
    ...(options.serviceIds?.length ? { serviceIds: options.serviceIds } : {}),
    ...(options.unitIds?.length ? { unitIds: options.unitIds } : {}),
    ...(options.unitSetIds?.length ? { unitSetIds: options.unitSetIds } : {}),
  };
  const client = createCloudClient(target);
  return callCloud(action, target.url, () =>
    options.unbind ? client.subjects.unbind.mutate(input) : client.subjects.bind.mutate(input),
  );
}
