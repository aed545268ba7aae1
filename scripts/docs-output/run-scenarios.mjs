// The runs the docs quote. Each scenario drives the built CLI, cloud and agent in its own
// session and emits the transcripts named in `outputs`; an output block of that name in any
// Markdown file must equal the transcript.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { admin } from './scenarios/admin.mjs';
import { cloud } from './scenarios/cloud.mjs';
import { cloudPostgres } from './scenarios/cloud-postgres.mjs';
import { localAgent } from './scenarios/local-agent.mjs';
import { localPackage } from './scenarios/local-package.mjs';
import { createSession } from './session.mjs';

/**
 * @typedef {object} Scenario
 * @property {string} name
 * @property {string} displayRoot the folder the docs show for the session's scratch folder
 * @property {('root' | 'postgres')[]} needs what the machine must offer (root: runc and mounts)
 * @property {string[]} outputs the transcripts it emits: the names of the docs' output blocks
 * @property {(session: import('./session.mjs').Session, context: { repoRoot: string }) => Promise<void>} run
 */

/** @type {Scenario[]} */
export const SCENARIOS = [localPackage, localAgent, cloud, cloudPostgres, admin];

/** What the scenarios run: the built CLI, cloud and agent (`pnpm build`). */
const BUILT_FILES = [
  'apps/cli/dist/main.js',
  'apps/agent/dist/main.js',
  'apps/cloud/dist/server.js',
  'apps/cloud/.next/BUILD_ID',
];

/**
 * Run one scenario and return its normalised transcripts by name.
 * @param {Scenario} scenario
 * @param {string} repoRoot
 * @returns {Promise<Map<string, string>>}
 */
export async function runScenario(scenario, repoRoot) {
  for (const file of BUILT_FILES)
    await access(join(repoRoot, file)).catch(() => {
      throw new Error(`the docs' outputs come from the built apps, and ${file} is missing: run \`pnpm build\` first`);
    });
  const session = await createSession({ repoRoot, name: scenario.name, displayRoot: scenario.displayRoot });
  try {
    await scenario.run(session, { repoRoot });
    const transcripts = session.transcripts();
    const missing = scenario.outputs.filter((name) => !transcripts.has(name));
    const extra = [...transcripts.keys()].filter((name) => !scenario.outputs.includes(name));
    if (missing.length > 0 || extra.length > 0)
      throw new Error(
        `docs scenario ${scenario.name}: ${missing.length ? `did not emit ${missing.join(', ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `emitted ${extra.join(', ')}, which its outputs list lacks` : ''}`,
      );
    return transcripts;
  } finally {
    await session.close();
  }
}

/**
 * Run scenarios at the same time (most of their time is spent waiting for a cloud or an agent)
 * and return each one's transcripts, by scenario name. A failed scenario rejects its own promise only.
 * @param {Scenario[]} scenarios
 * @param {string} repoRoot
 * @returns {Map<string, Promise<Map<string, string>>>}
 */
export function startScenarios(scenarios, repoRoot) {
  return new Map(
    scenarios.map((scenario) => {
      const running = runScenario(scenario, repoRoot);
      running.catch(() => {}); // reported where it is awaited
      return [scenario.name, running];
    }),
  );
}
