import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createCertificateAuthority,
  issueUserCredential,
  readPkcs12,
  type CertificateAuthority,
  type Credential,
} from '@openaos/pki';

export interface TestSigner {
  ca: CertificateAuthority;
  credential: Credential;
}

/** A CA and an SP credential issued by it, read back from the PKCS#12 as `aos sign` reads it. */
export function createTestSigner(name = 'Test'): TestSigner {
  const ca = createCertificateAuthority({ commonName: `${name} Root CA`, organization: 'OpenAos Test' });
  const issued = issueUserCredential(ca, { commonName: `${name} SP`, organization: 'example.test', role: 'sp' });
  return { ca, credential: readPkcs12(issued.pkcs12, '') };
}

export function configYaml(options: { symlinks?: string; stateRequired?: boolean; extra?: string } = {}): string {
  return `# test service
build:
    os: linux
    arch: x86
    sign_pkcs12: aos-user-sp.p12
    symlinks: ${options.symlinks ?? 'copy'}
publish:
    url: localhost
    service_uid: 2efd1506-564e-40de-9466-66ae7a25fac0
    tls_pkcs12: aos-user-sp.p12
    version: "1.0.0"
configuration:
    cmd: python3 /app/main.py
    workingDir: /
${options.stateRequired === true ? '    state:\n        filename: state.dat\n        required: true\n' : ''}${options.extra ?? ''}`;
}

/** A service folder as `aos init` + a developer would leave it: meta/config.yaml and src/. */
export async function createTestService(
  directory: string,
  options: { symlinks?: string; stateRequired?: boolean; withState?: boolean } = {},
): Promise<string> {
  await mkdir(join(directory, 'meta'), { recursive: true });
  await mkdir(join(directory, 'src/app/lib'), { recursive: true });
  await writeFile(join(directory, 'meta/config.yaml'), configYaml(options));
  if (options.withState ?? options.stateRequired === true)
    await writeFile(join(directory, 'meta/state.dat'), 'initial state\n');
  await writeFile(join(directory, 'src/app/main.py'), 'print("hello from OpenAos")\n');
  await writeFile(join(directory, 'src/app/run.sh'), '#!/bin/sh\nexec python3 /app/main.py\n');
  await chmod(join(directory, 'src/app/run.sh'), 0o755);
  await writeFile(join(directory, 'src/app/lib/data.bin'), Buffer.alloc(200_000, 7));
  return directory;
}
