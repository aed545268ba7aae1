// Where the first start keeps everything, under one data folder (default <repo>/.data): the
// cloud's own data, the admin's and the demo's credentials, the local unit's storage and identity.
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** The demo's names: what the first start creates, and finds again on later starts. */
export const DEMO = {
  spOrganisation: 'Demo Service Provider',
  oemOrganisation: 'Demo Device Maker',
  spEmail: 'sp@demo.local',
  oemEmail: 'oem@demo.local',
  serviceTitle: 'Hello world',
  version: '1.0.0',
  unitSystemId: 'local-unit',
  unitSet: 'Demo units',
  subject: 'Demo',
};

/**
 * @param {string} dataDir absolute
 */
export function startPaths(dataDir) {
  const unitDir = join(dataDir, 'unit');
  const unitStorage = join(unitDir, 'storage');
  return {
    dataDir,
    /** OPENAOS_DATA_DIR of the cloud: PGlite, blobs, the CA. */
    cloudDir: join(dataDir, 'cloud'),
    cloudLog: join(dataDir, 'cloud.log'),
    /** The admin's password, made by the first start (mode 600). */
    adminPassword: join(dataDir, 'admin-password'),
    /** AOS_HOME of the demo's users: security/aos-user-{admin,sp,oem}.p12 and cloud.json. */
    aosHome: join(dataDir, 'aos-home'),
    /** Sign-in names and passwords of the accounts the first start made (mode 600). */
    accounts: join(dataDir, 'accounts.json'),
    /** The copy of examples/hello-world that was signed and uploaded. */
    demoService: join(dataDir, 'demo', 'hello-world'),
    unitDir,
    unitStorage,
    /** aos-agent's default identity folder: <storage-dir>-identity, outside the storage mount. */
    unitIdentity: `${unitStorage}-identity`,
    /** The unit's storage: a loop-mounted ext4 image, so the unit's data survives a stop. */
    unitImage: join(unitDir, 'storage.img'),
    unitLog: join(unitDir, 'agent.log'),
    /** Its own cgroup parent per data folder, so two installations on one machine never share one. */
    cgroupParent: `/openaos-start-${createHash('sha256').update(dataDir).digest('hex').slice(0, 8)}`,
    /** The pid of the running start, against a second start on the same data. */
    lock: join(dataDir, 'start.pid'),
  };
}
