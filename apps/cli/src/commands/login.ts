import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { callCloud, createCloudClient, type CloudOutputs } from '../cloud/cloud-client.js';
import { cloudCaPath, normaliseCloudUrl, resolveCloudTarget, writeCloudSettings } from '../cloud/cloud-settings.js';

export interface LoginOptions {
  aosHome: string;
  /** Cloud base URL, e.g. http://localhost:3000. */
  url: string;
  /** Credential to use from now on (default: security/aos-user-sp.p12, else -oem). */
  pkcs12?: string;
}

export interface LoginResult {
  url: string;
  cloudName: string;
  credentialPath: string;
  user: CloudOutputs['auth']['whoami'];
  /** The cloud's CA certificate, saved so `aos inspect` trusts packages signed by its users. */
  caCertificatePath: string;
}

/**
 * Check that the cloud answers and accepts the credential (auth.whoami), then remember the
 * URL (and an explicit --pkcs12) in <AOS_HOME>/cloud.json and the cloud's CA certificate in
 * <AOS_HOME>/cloud-ca.pem. There is no password: every request is signed with the credential.
 */
export async function runLogin(options: LoginOptions): Promise<LoginResult> {
  const action = `signing in to ${options.url}`;
  const url = normaliseCloudUrl(options.url, action);
  const target = await resolveCloudTarget(
    { aosHome: options.aosHome, url, ...(options.pkcs12 ? { pkcs12: options.pkcs12 } : {}) },
    action,
  );
  const anonymous = createCloudClient({ url });
  const info = await callCloud(`${action}: reading system.info`, url, () => anonymous.system.info.query());
  const client = createCloudClient(target);
  const user = await callCloud(`${action}: checking the credential`, url, () => client.auth.whoami.query());
  await writeCloudSettings(options.aosHome, { url, ...(options.pkcs12 ? { pkcs12: resolve(options.pkcs12) } : {}) });
  const caCertificatePath = cloudCaPath(options.aosHome);
  await writeFile(caCertificatePath, info.caCertificatePem, { mode: 0o644 });
  return { url, cloudName: info.name, credentialPath: target.credentialPath, user, caCertificatePath };
}
