// The real command lines the first start drives: `aos` (as admin, SP and OEM, told apart by the
// credentials in AOS_HOME) and `aos-agent`, each a child process whose output is kept for errors.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

/**
 * @param {{ repoRoot: string, aosHome: string, cloudUrl: string }} options
 */
export function createCommands({ repoRoot, aosHome, cloudUrl }) {
  const aosBin = join(repoRoot, 'apps', 'cli', 'bin', 'aos.js');
  const agentBin = join(repoRoot, 'apps', 'agent', 'bin', 'aos-agent.js');
  const env = { ...process.env, AOS_HOME: aosHome, AOS_CLOUD_URL: cloudUrl, AOS_DEBUG: '', NO_COLOR: '1' };

  /**
   * @param {string} bin
   * @param {string} name
   * @param {string[]} args
   * @returns {Promise<string>} stdout
   */
  const run = (bin, name, args) =>
    new Promise((resolve, reject) => {
      execFile(process.execPath, [bin, ...args], { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`\`${name} ${args.join(' ')}\` failed:\n${stderr || stdout || error.message}`));
        else resolve(stdout);
      });
    });

  return {
    cloudUrl,
    /** @param {string[]} args */
    aos: (args) => run(aosBin, 'aos', args),
    /**
     * `aos … --json`, parsed.
     * @template T
     * @param {string[]} args
     * @returns {Promise<T>}
     */
    async aosJson(args) {
      return JSON.parse(await run(aosBin, 'aos', [...args, '--json']));
    },
    /** @param {string[]} args */
    agent: (args) => run(agentBin, 'aos-agent', args),
    agentBin,
  };
}
