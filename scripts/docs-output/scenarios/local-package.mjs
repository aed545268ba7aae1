// docs/getting-started.md steps 2–4 and the local examples of docs/cli.md: a service made with
// `aos init`, validated, signed, inspected (also tampered with and untrusted), built into an
// OCI image and opened with umoci and skopeo. No cloud, no root.
import { nameSignedHashes } from './name-signed-hashes.mjs';

/** The Service ID the walkthrough puts into meta/config.yaml (a fixed input, so digests repeat). */
const SERVICE_ID = '2efd1506-564e-40de-9466-66ae7a25fac0';

/** @type {import('../run-scenarios.mjs').Scenario} */
export const localPackage = {
  name: 'local-package',
  displayRoot: '/tmp/docs-gs',
  needs: [],
  outputs: [
    'getting-started-init',
    'getting-started-credentials',
    'getting-started-validate',
    'getting-started-sign',
    'getting-started-sign-again',
    'getting-started-inspect',
    'getting-started-inspect-failures',
    'getting-started-image-build',
    'getting-started-oci-tools',
    'cli-validate-errors',
    'cli-sign-json-error',
  ],

  async run(session) {
    const { sandbox, normaliser } = session;
    normaliser.keep(SERVICE_ID);
    await session.run(`export AOS_HOME=${sandbox}/home SOURCE_DATE_EPOCH=946684800`);

    session.emit('getting-started-init', await session.run('aos init demo'));
    session.emit(
      'getting-started-credentials',
      await session.run('cd demo'),
      await session.run('aos credentials show'),
    );
    session.emit(
      'getting-started-validate',
      await session.run(`sed -i 's/^    service_uid:.*/    service_uid: ${SERVICE_ID}/' meta/config.yaml`),
      await session.run('aos validate'),
    );
    session.emit('getting-started-sign', await session.run('aos sign'));
    await nameSignedHashes(session, 'service.tar.gz', { isStable: true });
    session.emit(
      'getting-started-sign-again',
      await session.run(`aos sign -q -o ${sandbox}/again.tar.gz`),
      await session.run('sha256sum service.tar.gz ../again.tar.gz'),
    );
    session.emit('getting-started-inspect', await session.run('aos inspect service.tar.gz'));

    // The tampered copy: the outer config.yaml with `cpu: 50` changed to `cpu: 99` (same size).
    await session.run(
      `python3 -c 'import io, tarfile
with tarfile.open("service.tar.gz") as source, tarfile.open("../tampered.tar.gz", "w:gz") as target:
    for member in source.getmembers():
        data = source.extractfile(member).read() if member.isfile() else b""
        if member.name == "./config.yaml": data = data.replace(b"cpu: 50", b"cpu: 99")
        target.addfile(member, io.BytesIO(data) if member.isfile() else None)'`,
    );
    session.emit(
      'getting-started-inspect-failures',
      await session.run('aos inspect ../tampered.tar.gz | tail -2; echo "exit code ${PIPESTATUS[0]}"'),
      await session.run(
        `AOS_HOME=${sandbox}/empty aos inspect service.tar.gz | tail -2; echo "exit code \${PIPESTATUS[0]}"`,
      ),
    );

    session.emit(
      'getting-started-image-build',
      await session.run('aos image build service.tar.gz -o image'),
      await session.run('ls image image/blobs/sha256'),
    );
    session.emit(
      'getting-started-oci-tools',
      await session.run('umoci unpack --rootless --image image:latest bundle'),
      await session.run('ls bundle bundle/rootfs'),
      await session.run('skopeo inspect oci:image:latest'),
    );

    // docs/cli.md: a config with two mistakes, validated and signed with --json.
    await session.run(`cd ${sandbox} && aos init broken --no-dev-credential > /dev/null && cd broken`);
    session.emit(
      'cli-validate-errors',
      await session.run(
        `sed -i -e 's/^    version: "1.0.0"/    version: 1.0/' -e 's/^        mem: 64MB /        mem: 2kB  /' meta/config.yaml`,
      ),
      await session.run('aos validate', { exitCode: 1 }),
    );
    session.emit('cli-sign-json-error', await session.run('aos sign --json 2>/dev/null', { exitCode: 1 }));
  },
};
