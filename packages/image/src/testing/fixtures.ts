import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { SafeEntry } from '@openaos/archive';
import { parseServiceConfig, type ServiceConfig } from '@openaos/config';

/** Run a real tool (umoci, skopeo, tar, …) and return its stdout; a failure throws with stderr. */
export const run = async (file: string, args: string[], options: { cwd?: string } = {}): Promise<string> => {
  const { stdout } = await promisify(execFile)(file, args, { maxBuffer: 64 * 1024 * 1024, ...options });
  return stdout;
};

/** A config.yaml like the seed's hello-world service. */
export const SAMPLE_CONFIG_YAML = `publisher:
    author: 'Test Author'
    company: 'Test Company'
build:
    os: linux
    arch: aarch64
    sign_pkcs12: aos-user-sp.p12
    symlinks: copy
publish:
    url: aoscloud.io
    service_uid: 6c5c1a04-1b1e-4a07-a2d5-0fe0b4b09d3f
    tls_pkcs12: aos-user-sp.p12
    version: "1.0.0"
configuration:
    cmd: python3 /usr/bin/services/hello_world.py --greeting "hello world"
    workingDir: /usr/bin/services
    env:
        - GREETING=hello
        - LANG=C.UTF-8
    exposedPorts:
        - 8080/tcp
    quotas:
        cpu: 50
        mem: 64MB
    runners:
        - runc
`;

export function makeServiceConfig(yaml = SAMPLE_CONFIG_YAML): ServiceConfig {
  return parseServiceConfig(yaml, { file: 'meta/config.yaml' });
}

export interface EntrySpec {
  name: string;
  type?: SafeEntry['type'];
  content?: string | Buffer;
  mode?: number;
  linkname?: string;
}

/** The seed's hello-world tree. */
export const SAMPLE_TREE: EntrySpec[] = [
  { name: 'etc', type: 'directory' },
  { name: 'etc/hello.cfg', content: 'greeting = hello\n' },
  { name: 'usr', type: 'directory' },
  { name: 'usr/bin', type: 'directory' },
  { name: 'usr/bin/services', type: 'directory' },
  { name: 'usr/bin/services/hello_world.py', content: 'print("hello world")\n', mode: 0o755 },
  { name: 'usr/bin/services/hello', type: 'symlink', linkname: 'hello_world.py' },
];

const FIXED_MTIME = new Date('2026-01-01T00:00:00Z');

/** SafeEntry iterable, as @openaos/service-package's serviceEntries() yields (fresh bodies on every call). */
export async function* makeEntries(specs: EntrySpec[]): AsyncIterable<SafeEntry> {
  for (const spec of specs) {
    const type = spec.type ?? 'file';
    const content = type === 'file' ? Buffer.from(spec.content ?? '') : undefined;
    const entry: SafeEntry = {
      name: spec.name,
      type,
      size: content?.length ?? 0,
      mode: spec.mode ?? (type === 'directory' ? 0o755 : 0o644),
      mtime: FIXED_MTIME,
      uid: 1000,
      gid: 1000,
    };
    if (spec.linkname !== undefined) entry.linkname = spec.linkname;
    if (content !== undefined) entry.body = Readable.from([content]);
    yield entry;
  }
}
