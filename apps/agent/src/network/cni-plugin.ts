import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { AgentError } from '../errors.js';

/** Where Debian's containernetworking-plugins installs the plugins. */
export const DEFAULT_CNI_BIN_DIR = '/usr/lib/cni';

/** The container a CNI command is about (the CNI_* environment of the spec). */
export interface CniRuntime {
  containerId: string;
  /** Path of the network namespace (`/run/netns/<name>`). */
  netns: string;
  ifName: string;
}

/**
 * Run one CNI plugin the way a container engine does: `CNI_COMMAND`, `CNI_CONTAINERID`,
 * `CNI_NETNS`, `CNI_IFNAME`, `CNI_PATH` in the environment, the network configuration as JSON
 * on stdin, the result (ADD) as JSON on stdout. A failure carries the plugin's own error
 * message (`{"code", "msg", "details"}` on stdout).
 */
export function runCniPlugin(
  binDir: string,
  command: 'ADD' | 'DEL' | 'CHECK',
  runtime: CniRuntime,
  config: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const type = String(config.type);
  return new Promise((resolve, reject) => {
    const child = execFile(
      join(binDir, type),
      [],
      {
        env: {
          PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
          CNI_COMMAND: command,
          CNI_CONTAINERID: runtime.containerId,
          CNI_NETNS: runtime.netns,
          CNI_IFNAME: runtime.ifName,
          CNI_PATH: binDir,
        },
        maxBuffer: 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          let detail = stderr.trim() || error.message;
          try {
            const parsed = JSON.parse(stdout) as { msg?: string; details?: string };
            if (parsed.msg) detail = [parsed.msg, parsed.details].filter(Boolean).join(': ');
          } catch {
            // Not JSON: keep stderr.
          }
          reject(
            new AgentError(
              'network-failed',
              `running CNI plugin ${type} ${command} for ${runtime.containerId}: ${detail}; check that containernetworking-plugins is installed in ${binDir}`,
              { cause: error },
            ),
          );
          return;
        }
        try {
          resolve(stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {});
        } catch (cause) {
          reject(new AgentError('network-failed', `reading CNI plugin ${type} ${command} output: not JSON`, { cause }));
        }
      },
    );
    child.stdin?.end(JSON.stringify(config));
  });
}

/**
 * Run a network configuration list (a "conflist") as libcni does: ADD runs the plugins in order,
 * each receiving the previous result as `prevResult`; DEL runs them in reverse order, each
 * receiving the cached result of the ADD (`addResult`; the firewall plugin finds its rules by
 * it), and goes on past a failing plugin so that as much as possible is released (the first
 * error is thrown at the end). Returns the last ADD result.
 */
export async function runCniConfList(
  binDir: string,
  command: 'ADD' | 'DEL',
  runtime: CniRuntime,
  list: { cniVersion: string; name: string; plugins: Record<string, unknown>[] },
  addResult?: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const configOf = (plugin: Record<string, unknown>, prevResult?: Record<string, unknown>) => ({
    cniVersion: list.cniVersion,
    name: list.name,
    ...plugin,
    ...(prevResult ? { prevResult } : {}),
  });
  if (command === 'ADD') {
    let result: Record<string, unknown> | undefined;
    for (const plugin of list.plugins) result = await runCniPlugin(binDir, 'ADD', runtime, configOf(plugin, result));
    return result ?? {};
  }
  let firstError: unknown;
  for (const plugin of [...list.plugins].reverse()) {
    await runCniPlugin(binDir, 'DEL', runtime, configOf(plugin, addResult)).catch((error: unknown) => {
      firstError ??= error;
    });
  }
  if (firstError) throw firstError;
  return {};
}
