import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadCredential, type Credential } from '@openaos/pki';
import { aosHomePaths, defaultPkcs12Name } from '../aos-home.js';
import { CliError } from '../errors.js';

/** What `aos login` remembers in <AOS_HOME>/cloud.json. */
export interface CloudSettings {
  /** Base URL of the cloud, e.g. "http://localhost:3000". */
  url: string;
  /** The credential to authenticate with (absolute path); default by role in security/. */
  pkcs12?: string;
}

export function cloudSettingsPath(aosHome: string): string {
  return aosHomePaths(aosHome).cloudSettings;
}

/** The cloud CA certificate saved by `aos login` (also trusted by `aos inspect`). */
export function cloudCaPath(aosHome: string): string {
  return aosHomePaths(aosHome).cloudCaCertificate;
}

export async function readCloudSettings(aosHome: string): Promise<CloudSettings | undefined> {
  try {
    const parsed = JSON.parse(await readFile(cloudSettingsPath(aosHome), 'utf8')) as Partial<CloudSettings>;
    if (typeof parsed.url !== 'string') return undefined;
    return { url: parsed.url, ...(typeof parsed.pkcs12 === 'string' ? { pkcs12: parsed.pkcs12 } : {}) };
  } catch {
    return undefined;
  }
}

export async function writeCloudSettings(aosHome: string, settings: CloudSettings): Promise<void> {
  await mkdir(aosHome, { recursive: true, mode: 0o700 });
  await writeFile(cloudSettingsPath(aosHome), `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
}

/** How a cloud command picks its target and identity (flags win over the environment and cloud.json). */
export interface CloudTargetOptions {
  aosHome: string;
  /** `--url`, or AOS_CLOUD_URL. */
  url?: string;
  /** `--pkcs12`. */
  pkcs12?: string;
  /** Which default credential to use when none is named: 'sp' for services, 'oem' for the fleet. */
  role?: 'sp' | 'oem';
}

export interface CloudTarget {
  url: string;
  credential: Credential;
  credentialPath: string;
}

/** Check and normalise a cloud URL: http(s) only, no trailing slash. */
export function normaliseCloudUrl(value: string, action: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError('usage', action, `"${value}" is not a URL`, {
      hint: 'give the cloud address with its scheme, e.g. http://localhost:3000',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError('usage', action, `"${value}" is not an http(s) URL`, { hint: 'e.g. https://cloud.example.com' });
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}

/** Resolve the cloud URL and load the credential a cloud command authenticates with. */
export async function resolveCloudTarget(options: CloudTargetOptions, action: string): Promise<CloudTarget> {
  const settings = await readCloudSettings(options.aosHome);
  const rawUrl = options.url ?? settings?.url;
  if (!rawUrl) {
    throw new CliError('usage', action, 'no cloud address', {
      hint: 'run `aos login --url <cloud URL>` once, or pass --url (or set AOS_CLOUD_URL)',
    });
  }
  const url = normaliseCloudUrl(rawUrl, action);
  let credentialPath: string | undefined;
  if (options.pkcs12) credentialPath = resolve(options.pkcs12);
  else if (settings?.pkcs12) credentialPath = settings.pkcs12;
  else {
    const security = aosHomePaths(options.aosHome).securityDir;
    const preferred = options.role ?? 'sp';
    const candidates = [preferred, preferred === 'sp' ? 'oem' : 'sp'].map((role) =>
      join(security, defaultPkcs12Name(role as 'sp' | 'oem')),
    );
    for (const candidate of candidates) {
      if (await isFile(candidate)) {
        credentialPath = candidate;
        break;
      }
    }
    if (!credentialPath) {
      throw new CliError('not-found', action, `no credential in ${security}`, {
        hint: 'download your credential from the cloud console into that folder (aos-user-sp.p12 or aos-user-oem.p12), or pass --pkcs12 <file>',
      });
    }
  }
  try {
    return { url, credential: await loadCredential(credentialPath), credentialPath };
  } catch (error) {
    throw new CliError('not-found', action, `loading credential ${credentialPath}: ${(error as Error).message}`, {
      cause: error,
      hint: 'pass --pkcs12 <file> with a PKCS#12 issued by the cloud (empty password)',
    });
  }
}
