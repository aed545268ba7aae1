import { randomUUID } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { defaultConfigTemplate } from '@openaos/config';
import { CliError } from '../errors.js';
import { runCredentialsDev } from './credentials-dev.js';

export interface InitOptions {
  /** Folder to create the service in (created if missing). */
  directory: string;
  /** Pre-fill `publish.service_uid`; otherwise a random UUID stands in until the cloud issues one. */
  serviceUid?: string;
  /** Pre-fill `publish.url`. */
  url?: string;
  /**
   * AOS_HOME: when given and it holds no SP credential yet, a development one is made there
   * (as `aos credentials dev`), so that `aos sign` works right after `aos init`.
   */
  aosHome?: string;
}

export interface InitResult {
  directory: string;
  configPath: string;
  /** Files written, relative to `directory`. Existing sources are never overwritten. */
  created: string[];
  /** publish.service_uid as written. */
  serviceUid: string;
  /** True when serviceUid is a random stand-in, to be replaced by the cloud's Service ID. */
  serviceUidIsPlaceholder: boolean;
  /** The development credential made for this user, when there was none. */
  devCredentialPath?: string;
}

/** The hello world the template's `cmd: python3 -u /hello.py` runs (src/ becomes the rootfs "/"). */
const HELLO_PY = `"""Hello world for an OpenAos service: prints a line every few seconds.

src/ becomes the root filesystem of the service's container, so this file runs as /hello.py.
flush=True (and python3 -u) make each line reach the unit's log at once instead of sitting
in a buffer.
"""
import time

count = 0
while True:
    count += 1
    print(f"hello from OpenAos ({count})", flush=True)
    time.sleep(5)
`;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Create a service folder as aos-signer expects it: `meta/config.yaml` (commented template,
 * every option explained) and a runnable Python hello world in `src/`.
 * Refuses to overwrite an existing `meta/config.yaml`; an existing `src/hello.py` is kept.
 */
export async function runInit(options: InitOptions): Promise<InitResult> {
  const directory = resolve(options.directory);
  const configPath = join(directory, 'meta', 'config.yaml');
  const action = `creating a service in ${directory}`;
  if (await exists(configPath)) {
    throw new CliError('exists', action, `${configPath} already exists`, {
      hint: 'run `aos init` in an empty folder, or edit the existing meta/config.yaml',
    });
  }
  const serviceUid = options.serviceUid ?? randomUUID();
  const template = defaultConfigTemplate({
    serviceUid,
    ...(options.url ? { url: options.url } : {}),
  });
  const created: string[] = [];
  try {
    await mkdir(join(directory, 'meta'), { recursive: true });
    await mkdir(join(directory, 'src'), { recursive: true });
    // flag 'wx' closes the race between the check above and the write.
    await writeFile(configPath, template, { flag: 'wx' });
    created.push('meta/config.yaml');
    const helloPath = join(directory, 'src', 'hello.py');
    if (!(await exists(helloPath))) {
      await writeFile(helloPath, HELLO_PY, { flag: 'wx' });
      created.push('src/hello.py');
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CliError('exists', action, `${configPath} already exists`, { cause: error });
    }
    throw new CliError('failed', action, (error as Error).message, { cause: error });
  }
  const devCredentialPath = options.aosHome ? await ensureDevCredential(options.aosHome) : undefined;
  return {
    directory,
    configPath,
    created,
    serviceUid,
    serviceUidIsPlaceholder: options.serviceUid === undefined,
    ...(devCredentialPath ? { devCredentialPath } : {}),
  };
}

/** Make a development SP credential unless the user already has one; returns its path if made. */
async function ensureDevCredential(aosHome: string): Promise<string | undefined> {
  if (await exists(join(aosHome, 'security', 'aos-user-sp.p12'))) return undefined;
  const made = await runCredentialsDev({ aosHome, role: 'sp' });
  return made.pkcs12Path;
}
