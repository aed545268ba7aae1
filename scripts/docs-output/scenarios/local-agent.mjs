// docs/getting-started.md step 5: the device agent as a daemon on a tmpfs, the hello-world
// image of step 4 applied and running, an update that cannot run rolled back, everything
// removed. Needs root and runc, like the agent's own tests.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

const run = promisify(execFile);
const SERVICE_ID = '2efd1506-564e-40de-9466-66ae7a25fac0';
const EMPTY = '{"messageType":"desiredStatus","services":[],"instances":[]}';

/** @type {import('../run-scenarios.mjs').Scenario} */
export const localAgent = {
  name: 'local-agent',
  displayRoot: '/tmp/docs-gs',
  needs: ['root'],
  outputs: [
    'getting-started-agent-run',
    'getting-started-agent-apply',
    'getting-started-agent-status',
    'getting-started-agent-rollback',
    'getting-started-agent-remove',
  ],

  async run(session, { repoRoot }) {
    const { sandbox, normaliser } = session;
    const storage = `${sandbox}/agent`;
    // Its own cgroup parent, so that runs at the same time do not meet.
    const cgroupParent = `/openaos-docs-${randomBytes(4).toString('hex')}`;
    normaliser.replace(cgroupParent, '/openaos-docs');
    normaliser.keep(SERVICE_ID);
    normaliser.addRule(maskUsage);

    // Step 4's package and image, and version 1.0.1 that cannot start (its command is missing).
    await session.run(
      `export AOS_HOME=${sandbox}/home SOURCE_DATE_EPOCH=946684800 && aos init demo > /dev/null && cd demo && sed -i 's/^    service_uid:.*/    service_uid: ${SERVICE_ID}/' meta/config.yaml && aos sign -q`,
    );
    const digest = await buildImage(session, '.');
    await session.run(
      `cp -r . ../v2 && cd ../v2 && rm -r image service.tar.gz && sed -i -e 's/^    version: "1.0.0"/    version: "1.0.1"/' -e 's|/hello.py|/missing.py|' meta/config.yaml && aos sign -q && cd ../demo`,
    );
    const brokenDigest = await buildImage(session, '../v2');
    await session.run(
      `printf '%s\\n' '{"messageType":"desiredStatus","services":[{"id":"${SERVICE_ID}","version":"1.0.1","manifestDigest":"${brokenDigest}","urls":["image"]}]}' > ../v2/desired.json`,
    );

    const start = await session.run(
      `aos-agent run --storage-dir ${storage} --storage-size 256m --cgroup-parent ${cgroupParent} > agent.log 2>&1 &`,
    );
    const pid = Number((await session.run('echo $!')).output);
    session.onClose(() => stopAgent(repoRoot, storage, pid));
    await session.run(
      "for i in $(seq 600); do grep -q 'agent running' agent.log && break; sleep 0.1; done; grep -q 'agent running' agent.log || cat agent.log",
    );
    session.emit('getting-started-agent-run', start, await session.run('head -1 agent.log'));

    await session.run(`cat > desired.json <<'EOF'
{
  "messageType": "desiredStatus",
  "services": [
    { "id": "${SERVICE_ID}", "version": "1.0.0",
      "manifestDigest": "${digest}",
      "urls": ["image"] }
  ],
  "instances": [
    { "serviceId": "${SERVICE_ID}", "subjectId": "demo", "priority": 0, "numInstances": 1 }
  ]
}
EOF`);
    session.emit(
      'getting-started-agent-apply',
      await session.run('cat desired.json'),
      await session.run(`aos-agent apply desired.json --storage-dir ${storage} --wait`),
    );

    // hello.py prints every 5 s: wait for three lines.
    await session.run(
      `for i in $(seq 120); do [ "$(cat ${storage}/instances/*/logs/current.log | wc -l)" -ge 3 ] && break; sleep 0.5; done`,
    );
    session.emit(
      'getting-started-agent-status',
      await session.run(`aos-agent status --storage-dir ${storage}`),
      await session.run(`head -3 ${storage}/instances/*/logs/current.log`),
    );

    session.emit(
      'getting-started-agent-rollback',
      await session.run(`aos-agent apply ../v2/desired.json --storage-dir ${storage} --wait`, { exitCode: 2 }),
      await session.run(`aos-agent status --storage-dir ${storage}`),
    );

    session.emit(
      'getting-started-agent-remove',
      await session.run(`echo '${EMPTY}' > empty.json`),
      await session.run(`aos-agent apply empty.json --storage-dir ${storage} --wait`),
      await session.run('kill %1; wait'),
      await session.run(`umount ${storage}/hostfs/root ${storage}`),
    );
  },
};

/**
 * Build the image of the signed package in `dir` and return its manifest digest.
 * @param {import('../session.mjs').Session} session
 * @param {string} dir
 */
async function buildImage(session, dir) {
  const built = await session.run(`aos image build ${dir}/service.tar.gz -o ${dir}/image --json`);
  return String(JSON.parse(built.output).manifestDigest);
}

/**
 * The agent's instance table with the CPU and RAM cells named: they are measured, and
 * whether the first monitoring poll has come yet (`-`) depends on timing. The table is laid
 * out again (two spaces between columns), since the cells' widths set the columns'.
 * @param {string} text
 */
export function maskUsage(text) {
  const lines = text.split('\n');
  for (let at = 0; at < lines.length; at++) {
    const header = lines[at] ?? '';
    if (!header.startsWith('INSTANCE ')) continue;
    const starts = [...header.matchAll(/\S+/g)].map((match) => match.index);
    const names = header.trim().split(/\s+/);
    // A row has its cells where the header has its names: two spaces before each (or it ends sooner).
    const isRow = (/** @type {string} */ line) =>
      line.trim() !== '' &&
      starts.slice(1).every((start) => line.length <= start || line.slice(start - 2, start) === '  ');
    let end = at + 1;
    while (end < lines.length && isRow(lines[end] ?? '')) end++;
    const rows = [header, ...lines.slice(at + 1, end)].map((line, index) =>
      starts.map((start, column) => {
        const cell = line.slice(start, starts[column + 1]).trim();
        if (index === 0) return cell;
        if (names[column] === 'CPU') return '<cpu>';
        if (names[column] === 'RAM') return '<ram>';
        return cell;
      }),
    );
    const widths = starts.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
    const laidOut = rows.map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    );
    lines.splice(at, end - at, ...laidOut);
    at = end - 1;
  }
  return lines.join('\n');
}

/**
 * Leave nothing behind after a failed run: remove the services, stop the daemon, unmount.
 * @param {string} repoRoot
 * @param {string} storage
 * @param {number} pid
 */
async function stopAgent(repoRoot, storage, pid) {
  const isAlive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const agent = join(repoRoot, 'apps/agent/bin/aos-agent.js');
  if (isAlive()) {
    const empty = join(storage, '..', 'docs-cleanup-empty.json');
    await run('bash', ['-c', `echo '${EMPTY}' > ${empty}`]);
    await run('node', [agent, 'apply', empty, '--storage-dir', storage, '--wait', '--timeout', '60']).catch(() => {});
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 200 && isAlive(); i++) await sleep(100);
    if (isAlive()) process.kill(pid, 'SIGKILL');
  }
  await run('umount', ['-R', storage]).catch(() => {});
}
