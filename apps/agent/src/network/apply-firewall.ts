import { spawn } from 'node:child_process';
import { runProgram } from '../run-program.js';
import { AgentError } from '../errors.js';
import type { FirewallRules } from './firewall-rules.js';
import type { NetworkNames } from './network-state.js';

/** iptables-restore with stdin; `--noflush` keeps every chain not named in the input. */
function restoreRules(input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('iptables-restore', ['-w', '--noflush'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`iptables-restore exited with ${code}: ${stderr.trim()}`)),
    );
    child.stdin.end(input);
  });
}

/** The CNI firewall plugin's jump; its chain accepts everything an instance sends. */
const CNI_FORWARD_JUMP = '-A FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD';

/**
 * Make `parent` jump to `chain` exactly once, before the CNI firewall plugin's jump (another
 * agent's chain may come first: it only matches its own bridges). Otherwise remove every jump
 * to `chain` and insert one first.
 */
async function pinJump(parent: string, chain: string): Promise<void> {
  const rules = (await runProgram('iptables', ['-w', '-S', parent]))
    .split('\n')
    .filter((line) => line.startsWith('-A '));
  const jump = `-A ${parent} -j ${chain}`;
  const count = rules.filter((rule) => rule === jump).length;
  const cniIndex = rules.indexOf(CNI_FORWARD_JUMP);
  if (count === 1 && (cniIndex === -1 || rules.indexOf(jump) < cniIndex)) return;
  for (let left = count; left > 0; left -= 1) await runProgram('iptables', ['-w', '-D', parent, '-j', chain]);
  await runProgram('iptables', ['-w', '-I', parent, '1', '-j', chain]);
}

/**
 * Replace the agent's two chains with `rules` in one iptables-restore transaction (a chain
 * declared in the input is flushed first, so a rebuild never duplicates a rule), then make
 * sure FORWARD and INPUT jump to them once, before the CNI firewall plugin's chain.
 */
export async function applyFirewall(names: NetworkNames, rules: FirewallRules): Promise<void> {
  const lines = [
    '*filter',
    `:${names.forwardChain} - [0:0]`,
    `:${names.inputChain} - [0:0]`,
    ...rules.forward.map((rule) => `-A ${names.forwardChain} ${rule.join(' ')}`),
    ...rules.input.map((rule) => `-A ${names.inputChain} ${rule.join(' ')}`),
    'COMMIT',
    '',
  ];
  try {
    await restoreRules(lines.join('\n'));
    await pinJump('FORWARD', names.forwardChain);
    await pinJump('INPUT', names.inputChain);
  } catch (cause) {
    throw new AgentError(
      'network-failed',
      `writing the firewall chains ${names.forwardChain}/${names.inputChain}: ${(cause as Error).message}; install iptables and run the agent as root`,
      { cause },
    );
  }
}

/** Remove the jumps to the agent's chains and the chains themselves; nothing when absent. */
export async function removeFirewall(names: NetworkNames): Promise<void> {
  for (const [parent, chain] of [
    ['FORWARD', names.forwardChain],
    ['INPUT', names.inputChain],
  ] as const) {
    for (;;) {
      const removed = await runProgram('iptables', ['-w', '-D', parent, '-j', chain]).then(
        () => true,
        () => false,
      );
      if (!removed) break;
    }
    await runProgram('iptables', ['-w', '-F', chain]).catch(() => undefined);
    await runProgram('iptables', ['-w', '-X', chain]).catch(() => undefined);
  }
}
