import { readFile } from 'node:fs/promises';
import { AgentError } from '../errors.js';
import { defaultIdentityDirectory } from '../link/identity-paths.js';
import { provisionUnit, type ProvisionResult } from '../link/provision-unit.js';

export interface ProvisionCommandOptions {
  cloudUrl: string;
  token: string;
  /** Default: the content of /etc/machine-id. */
  systemId?: string;
  storageDir: string;
  /** Default: `<storage-dir>-identity` (link/identity-store.ts says why). */
  identityDir?: string;
  force?: boolean;
  log?: (message: string) => void;
}

/** The machine's ID (systemd's /etc/machine-id), the unit's default systemId. */
export async function readMachineId(path = '/etc/machine-id'): Promise<string> {
  const id = (await readFile(path, 'utf8').catch(() => '')).trim();
  if (!id)
    throw new AgentError(
      'provisioning-failed',
      `provisioning: ${path} is missing or empty; give the unit's ID with --system-id`,
    );
  return id;
}

/** `aos-agent provision`: make the unit's key, get its certificate from the cloud, store the identity. */
export async function runProvision(options: ProvisionCommandOptions): Promise<ProvisionResult> {
  let cloudUrl: URL;
  try {
    cloudUrl = new URL(options.cloudUrl);
  } catch {
    throw new AgentError(
      'provisioning-failed',
      `provisioning: --cloud ${options.cloudUrl} is not a URL; give it as http(s)://host[:port]`,
    );
  }
  if (!options.token.trim()) throw new AgentError('provisioning-failed', 'provisioning: --token is empty');
  return provisionUnit({
    cloudUrl: cloudUrl.origin,
    token: options.token.trim(),
    systemId: options.systemId ?? (await readMachineId()),
    identityDir: options.identityDir ?? defaultIdentityDirectory(options.storageDir),
    ...(options.force ? { force: true } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}
