import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Credential } from '@openaos/pki';
import { buildServicePackage } from '@openaos/service-package';

/** meta/config.yaml (schema v1) of a small shell service, as `aos init` would leave it filled in. */
export function serviceConfigYaml(serviceId: string, version: string): string {
  return `publisher:
    author: OpenAos tests
    company: OpenAos
build:
    os: linux
    arch: x86_64
    sign_pkcs12: aos-user-sp.p12
    symlinks: copy
publish:
    url: localhost
    service_uid: ${serviceId}
    tls_pkcs12: aos-user-sp.p12
    version: "${version}"
configuration:
    cmd: /bin/sh /app/hello.sh
    workingDir: /app
    instances:
        minInstances: 1
    quotas:
        cpu: 20
        mem: 32MB
`;
}

/** Build a real signed service.tar.gz (aos-signer layout) with the credential; returns its path. */
export async function makeServicePackage(
  credential: Credential,
  serviceId: string,
  version: string,
  options: { extraBytes?: number } = {},
): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'openaos-service-'));
  await mkdir(join(directory, 'meta'), { recursive: true });
  await mkdir(join(directory, 'src', 'app'), { recursive: true });
  await writeFile(join(directory, 'meta', 'config.yaml'), serviceConfigYaml(serviceId, version));
  await writeFile(join(directory, 'src', 'app', 'hello.sh'), `#!/bin/sh\necho "hello from ${version}"\nsleep 3600\n`, {
    mode: 0o755,
  });
  if (options.extraBytes) {
    // Random bytes do not compress: the package grows by about this much.
    const { randomBytes } = await import('node:crypto');
    await writeFile(join(directory, 'src', 'app', 'data.bin'), randomBytes(options.extraBytes));
  }
  const built = await buildServicePackage({
    serviceDir: directory,
    credential,
    outputPath: join(directory, 'out', 'service.tar.gz'),
  });
  return built.path;
}
