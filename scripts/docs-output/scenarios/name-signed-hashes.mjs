// Hashes of a signed package that differ from run to run, named for the docs.

/**
 * Name the hashes that change from run to run: the package's own and package.sign's (a fresh
 * signing key each time), and unless `isStable`, the inner archive's and config.yaml's too
 * (they hold a Service ID the cloud made up).
 * @param {import('../session.mjs').Session} session
 * @param {string} packagePath
 * @param {{ isStable: boolean }} inputs
 */
export async function nameSignedHashes(session, packagePath, { isStable }) {
  const inspection = JSON.parse((await session.run(`aos inspect ${packagePath} --json`)).output);
  session.normaliser.replace(inspection.sha256, '<package sha256>', { isPadded: false });
  session.normaliser.replace(inspection.sha3_512, '<package sha3-512>', { isPadded: false });
  for (const entry of inspection.contents)
    if (!isStable || entry.name === 'package.sign')
      session.normaliser.replace(entry.sha3_512, `<${entry.name} sha3-512>`, { isPadded: false });
}
