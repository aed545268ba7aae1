// The fleet bench's client of the cloud's real API: tRPC over HTTP (the admin by session cookie,
// SP and OEM users by AosCert, as the CLI), the upload endpoint, and unit provisioning over the
// provisioning WebSocket, as the agent does it.
import { Blob, Buffer } from 'node:buffer';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateRequest, readPemCredential, readPkcs12 } from '@openaos/pki';
import { CLOUD_HTTP_PATHS, createCertificateToken, formatCertificateAuthorization } from '@openaos/protocol';
import { createChannel } from '@openaos/protocol/v7';
import { buildServicePackage } from '@openaos/service-package';
import WebSocket from 'ws';

const trpcUrl = (cloudUrl, path) => `${cloudUrl}${CLOUD_HTTP_PATHS.trpc}/${path}`;

/** Headers that authenticate one request: a session cookie, or a fresh AosCert proof for its method and path. */
function authHeaders(auth, method, path) {
  if (auth.cookie) return { cookie: auth.cookie };
  return {
    authorization: formatCertificateAuthorization(createCertificateToken(auth.credential, { method, path })),
  };
}

/** One tRPC mutation; throws with the cloud's answer when it fails. */
export async function mutate(cloudUrl, auth, procedure, input) {
  const path = `${CLOUD_HTTP_PATHS.trpc}/${procedure}`;
  const response = await globalThis.fetch(trpcUrl(cloudUrl, procedure), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders(auth, 'POST', path) },
    body: JSON.stringify(input),
  });
  const body = await response.json();
  if (!response.ok || !body.result) throw new Error(`${procedure}: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body.result.data;
}

/** Many calls of one mutation in tRPC batches of `size` (one HTTP request each); results in order. */
export async function mutateMany(cloudUrl, auth, procedure, inputs, size = 100) {
  const results = [];
  for (let start = 0; start < inputs.length; start += size) {
    const chunk = inputs.slice(start, start + size);
    const names = chunk.map(() => procedure).join(',');
    const path = `${CLOUD_HTTP_PATHS.trpc}/${names}`;
    const response = await globalThis.fetch(`${trpcUrl(cloudUrl, names)}?batch=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeaders(auth, 'POST', path) },
      body: JSON.stringify(Object.fromEntries(chunk.map((input, index) => [index, input]))),
    });
    const body = await response.json();
    if (!Array.isArray(body)) throw new Error(`${procedure} (batch): HTTP ${response.status} ${JSON.stringify(body)}`);
    for (const each of body) {
      if (!each.result) throw new Error(`${procedure} (batch): ${JSON.stringify(each.error ?? each)}`);
      results.push(each.result.data);
    }
  }
  return results;
}

/** Sign in as the first admin; the session cookie. */
export async function signInAdmin(cloudUrl, password) {
  const response = await globalThis.fetch(trpcUrl(cloudUrl, 'auth.signIn'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin', password }),
  });
  if (!response.ok) throw new Error(`admin sign-in: HTTP ${response.status} ${await response.text()}`);
  return {
    cookie: response.headers
      .getSetCookie()
      .map((value) => value.split(';')[0])
      .join('; '),
  };
}

/** As the admin: an organisation of `kind` with one user, and that user's credential. */
export async function createUser(cloudUrl, admin, kind) {
  const organisation = await mutate(cloudUrl, admin, 'organisations.create', { name: `Fleet ${kind}`, kind });
  const created = await mutate(cloudUrl, admin, 'users.create', {
    email: `${kind}@fleet.example`,
    name: kind.toUpperCase(),
    role: kind,
    organisationId: organisation.id,
  });
  const issued = await mutate(cloudUrl, admin, 'credentials.issue', { userId: created.user.id });
  return { credential: readPkcs12(Buffer.from(issued.pkcs12Base64, 'base64')) };
}

/** A small signed service package (aos-signer layout) of `version`; its path. */
export async function buildPackage(credential, serviceId, version) {
  const directory = await mkdtemp(join(tmpdir(), 'openaos-fleet-service-'));
  await mkdir(join(directory, 'meta'), { recursive: true });
  await mkdir(join(directory, 'src', 'app'), { recursive: true });
  await writeFile(
    join(directory, 'meta', 'config.yaml'),
    `publisher:\n    author: OpenAos fleet bench\n    company: OpenAos\nbuild:\n    os: linux\n    arch: x86_64\n    sign_pkcs12: aos-user-sp.p12\n    symlinks: copy\npublish:\n    url: localhost\n    service_uid: ${serviceId}\n    tls_pkcs12: aos-user-sp.p12\n    version: "${version}"\nconfiguration:\n    cmd: /bin/sh /app/hello.sh\n    workingDir: /app\n    instances:\n        minInstances: 1\n    quotas:\n        cpu: 20\n        mem: 32MB\n`,
  );
  await writeFile(join(directory, 'src', 'app', 'hello.sh'), `#!/bin/sh\necho ${version}\nsleep 3600\n`, {
    mode: 0o755,
  });
  const built = await buildServicePackage({
    serviceDir: directory,
    credential,
    outputPath: join(directory, 'service.tar.gz'),
  });
  return built.path;
}

/** `aos upload`: the package to the upload endpoint; the version's id once it is ready. */
export async function uploadVersion(cloudUrl, sp, serviceId, version) {
  const packagePath = await buildPackage(sp.credential, serviceId, version);
  const form = new globalThis.FormData();
  form.set('service', serviceId);
  form.set('version', version);
  form.set('file', new Blob([await readFile(packagePath)]), 'service.tar.gz');
  const response = await globalThis.fetch(`${cloudUrl}${CLOUD_HTTP_PATHS.upload}`, {
    method: 'POST',
    body: form,
    headers: authHeaders(sp, 'POST', CLOUD_HTTP_PATHS.upload),
  });
  const body = await response.json();
  if (response.status !== 201 || body.state !== 'ready') {
    throw new Error(`uploading ${version}: HTTP ${response.status} ${JSON.stringify(body)}`);
  }
  return body.id;
}

/**
 * One CSR for every simulated unit. A real unit makes its own key; here all share one, because
 * 10,000 RSA key generations would take longer than the bench. The cloud ignores the CSR's subject
 * and issues each unit its own certificate (its systemId, its own serial and fingerprint), which
 * is what the unit proves on every connection.
 */
export function createSharedRequest() {
  return createCertificateRequest({ commonName: 'fleet-bench-unit' });
}

/**
 * Provision one unit as aos-agent does: the provisioning WebSocket with its one-time token, the CSR
 * in startProvisioningResponse, the chain from finishProvisioningRequest. Resolves with its credential.
 */
export function provisionUnit(cloudUrl, systemId, token, request) {
  const url = `${cloudUrl.replace(/^http/, 'ws')}${CLOUD_HTTP_PATHS.unitProvisioning}?systemId=${encodeURIComponent(systemId)}`;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
    let chainPem;
    socket.once('open', () => {
      const channel = createChannel(socket, { side: 'unit', systemId, limits: { pingIntervalMs: 0 } });
      channel.on('startProvisioningRequest', async (data, context) => {
        await context.reply({
          messageType: 'startProvisioningResponse',
          node: data.node,
          csrs: [{ type: 'online', csr: request.csrPem }],
        });
      });
      channel.on('finishProvisioningRequest', async (data, context) => {
        chainPem = data.certificates.find((certificate) => certificate.type === 'online')?.chain;
        await context.reply({ messageType: 'finishProvisioningResponse', node: data.node });
      });
      void channel.closed.then((closed) => {
        if (!chainPem) reject(new Error(`provisioning ${systemId}: closed without a certificate (${closed.reason})`));
        else resolve(readPemCredential(request.privateKeyPem, chainPem));
      });
    });
    socket.once('unexpected-response', (_request, response) => {
      response.resume();
      reject(new Error(`provisioning ${systemId}: HTTP ${response.statusCode}`));
    });
    socket.once('error', reject);
  });
}

/** Run `work` over `items` with at most `limit` at once; results in order. */
export async function mapLimited(items, limit, work) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
