// docs/cloud.md: the built cloud's first start on PostgreSQL with a fixed admin password, in a
// throwaway database on the test server (TEST_DATABASE_URL, default postgres://root@127.0.0.1:5432/test).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { findFreePort, isAnswering, quote } from '../session.mjs';

const DEFAULT_ADMIN_URL = 'postgres://root@127.0.0.1:5432/test';
/** The database URL the docs show, whatever server the run used. */
const SHOWN_URL = 'postgres://root@127.0.0.1:5432/openaos_docs';

/** @type {import('../run-scenarios.mjs').Scenario} */
export const cloudPostgres = {
  name: 'cloud-postgres',
  displayRoot: '/tmp/docs-cloud-pg',
  needs: ['postgres'],
  outputs: ['cloud-first-start-postgres'],

  async run(session, { repoRoot }) {
    const { sandbox, normaliser } = session;
    const adminUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_ADMIN_URL;
    const name = `openaos_docs_${randomBytes(6).toString('hex')}`;
    const databaseUrl = new URL(adminUrl);
    databaseUrl.pathname = `/${name}`;
    const printedUrl = new URL(databaseUrl);
    if (printedUrl.password) printedUrl.password = '***'; // the cloud prints the URL so
    normaliser.replace(databaseUrl.href, SHOWN_URL);
    normaliser.replace(printedUrl.href, SHOWN_URL);
    normaliser.replace(name, 'openaos_docs');
    const port = await findFreePort();
    normaliser.replace(String(port), '3918', { isWord: true });

    await session.run(`psql ${quote(adminUrl)} -qc 'CREATE DATABASE ${name}'`);
    try {
      const server = await session.start(
        `DATABASE_URL=${databaseUrl} OPENAOS_DATA_DIR=${sandbox}/data OPENAOS_ADMIN_PASSWORD=change-me-please-now PORT=${port} HOST=127.0.0.1 NODE_ENV=production node dist/server.js`,
        {
          cwd: join(repoRoot, 'apps/cloud'),
          isReady: () => isAnswering(`http://127.0.0.1:${port}/api/trpc/system.info`),
        },
      );
      session.emit('cloud-first-start-postgres', server.result);
      await server.stop();
    } finally {
      await session.run(`psql ${quote(adminUrl)} -qc 'DROP DATABASE IF EXISTS ${name} WITH (FORCE)'`);
    }
  },
};
