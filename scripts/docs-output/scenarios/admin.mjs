// docs/cli.md "Administration": the admin's `aos admin` commands against the built cloud's first
// start on PGlite — a credential fetched with the password, an organisation, a user with a
// generated password, the user's credential, the lists, and a deactivation.
import { join } from 'node:path';
import { findFreePort, isAnswering } from '../session.mjs';

/** @type {import('../run-scenarios.mjs').Scenario} */
export const admin = {
  name: 'admin',
  displayRoot: '/tmp/docs-admin',
  needs: [],
  outputs: ['cli-admin'],

  async run(session, { repoRoot }) {
    const { sandbox, normaliser } = session;
    const port = await findFreePort();
    normaliser.replace(String(port), '3000', { isWord: true });
    const password = 'a long admin password for the docs';
    await session.start(
      `OPENAOS_DATA_DIR=${sandbox}/data OPENAOS_ADMIN_PASSWORD='${password}' PORT=${port} NODE_ENV=production node dist/server.js`,
      {
        cwd: join(repoRoot, 'apps/cloud'),
        isReady: () => isAnswering(`http://127.0.0.1:${port}/api/trpc/system.info`),
      },
    );
    await session.run(`export AOS_HOME=${sandbox}/admin-home AOS_CLOUD_URL=http://localhost:${port}`);
    await session.run(`printf '%s\\n' '${password}' > admin-password && chmod 600 admin-password`);
    const credential = await session.run('aos admin credential --email admin --password-file admin-password');
    const organisation = await session.run('aos admin organisation create --name "Acme Services" --kind sp');
    const user = await session.run(
      'aos admin user create --email alice@acme.example --name Alice --role sp --organisation "Acme Services"',
    );
    const generated = /password:\s+(\S+)\s+\(generated/.exec(user.output)?.[1];
    if (!generated) throw new Error(`aos admin user create printed no generated password:\n${user.output}`);
    normaliser.replace(generated, '<generated password>');
    const issue = await session.run('aos admin user credential alice@acme.example --output alice/aos-user-sp.p12');
    const list = await session.run('aos admin user list');
    const organisations = await session.run('aos admin organisation list --json');
    const deactivate = await session.run('aos admin user deactivate alice@acme.example');
    session.emit('cli-admin', credential, organisation, user, issue, list, organisations, deactivate);
  },
};
