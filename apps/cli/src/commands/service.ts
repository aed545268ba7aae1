import { callCloud, createCloudClient, type CloudInputs, type CloudOutputs } from '../cloud/cloud-client.js';
import { resolveCloudTarget, type CloudTargetOptions } from '../cloud/cloud-settings.js';

export type ServiceCreateInput = CloudInputs['services']['create'];
export type ServiceSummary = CloudOutputs['services']['list'][number];
export type ServiceDetail = CloudOutputs['services']['get'];

/** Create a service in the cloud (SP); its `id` goes into publish.service_uid. */
export async function runServiceCreate(options: CloudTargetOptions & ServiceCreateInput): Promise<ServiceSummary> {
  const action = `creating service "${options.title}"`;
  const target = await resolveCloudTarget({ ...options, role: 'sp' }, action);
  const client = createCloudClient(target);
  const { aosHome: _aosHome, url: _url, pkcs12: _pkcs12, role: _role, ...input } = options;
  return callCloud(action, target.url, () => client.services.create.mutate(input));
}

/** The services the credential's organisation may see. */
export async function runServiceList(options: CloudTargetOptions): Promise<ServiceSummary[]> {
  const action = 'listing services';
  const target = await resolveCloudTarget({ ...options, role: options.role ?? 'sp' }, action);
  const client = createCloudClient(target);
  return callCloud(action, target.url, () => client.services.list.query());
}

/** One service with its versions and the subjects it is bound to. */
export async function runServiceShow(options: CloudTargetOptions & { id: string }): Promise<ServiceDetail> {
  const action = `reading service ${options.id}`;
  const target = await resolveCloudTarget({ ...options, role: options.role ?? 'sp' }, action);
  const client = createCloudClient(target);
  return callCloud(action, target.url, () => client.services.get.query({ id: options.id }));
}
