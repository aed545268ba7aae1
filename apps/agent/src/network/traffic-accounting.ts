import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { runProgram } from '../run-program.js';
import type { NetworkNames } from './network-state.js';

/**
 * Traffic accounting and volume caps (`quotas.uploadLimit`/`downloadLimit`, bytes per period),
 * in the kernel: each attached instance has two chains of its own, `OPENAOS-<tag>-U<hash>`
 * (what it sends) and `…-D<hash>` (what it receives), jumped to first from the forward chain:
 *
 *   -d 10.0.0.0/8 -j RETURN       (and 172.16.0.0/12, 192.168.0.0/16, 127.0.0.0/8: local and
 *                                   bridge traffic is not counted, as AosEdge)
 *   [-m quota --quota <cap>] -m comment --comment counted -j RETURN   ← its byte counter is the traffic
 *   -m comment --comment over-cap -j DROP                            ← only reached past the cap
 *
 * The quota match stops traffic at exactly the cap, without waiting for a poll. The chains are
 * made when the instance is attached and at a new period (counters and quota start again),
 * never when the agent restarts: counters survive a kill -9 of the agent.
 */

/** Local ranges whose traffic is not counted (AosEdge's monitoring excludes them). */
export const UNCOUNTED_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8'] as const;

/** How long a volume cap lasts before the counters start again. */
export type TrafficPeriod = 'minute' | 'hour' | 'day' | 'month' | 'year';

/** Start of the period containing `now` (UTC), as an ISO string. */
export function periodStart(now: Date, period: TrafficPeriod): string {
  const parts = [now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), now.getUTCHours(), now.getUTCMinutes()];
  const kept = { year: 1, month: 2, day: 3, hour: 4, minute: 5 }[period];
  const [year = 1970, month = 0, day = 1, hour = 0, minute = 0] = parts.map((value, index) =>
    index < kept ? value : index === 2 ? 1 : 0,
  );
  return new Date(Date.UTC(year, month, day, hour, minute)).toISOString();
}

export function trafficChains(names: NetworkNames, instanceId: string) {
  const hash = createHash('sha256').update(instanceId).digest('hex').slice(0, 8);
  const base = names.forwardChain.replace(/-FWD$/, '');
  return { upload: `${base}-U${hash}`, download: `${base}-D${hash}` };
}

/** The rules of one accounting chain; `direction` says which end is the remote one. */
export function buildTrafficChain(direction: 'upload' | 'download', cap: number | undefined): string[][] {
  const remote = direction === 'upload' ? '-d' : '-s';
  return [
    ...UNCOUNTED_RANGES.map((range) => [remote, range, '-j', 'RETURN']),
    [
      ...(cap === undefined ? [] : ['-m', 'quota', '--quota', String(cap)]),
      '-m',
      'comment',
      '--comment',
      'counted',
      '-j',
      'RETURN',
    ],
    ['-m', 'comment', '--comment', 'over-cap', '-j', 'DROP'],
  ];
}

function restore(input: string): Promise<void> {
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

/** (Re)write an instance's two accounting chains: counters and quotas start from zero. */
export async function writeTrafficChains(
  names: NetworkNames,
  instanceId: string,
  caps: { uploadLimit?: number; downloadLimit?: number },
): Promise<void> {
  const chains = trafficChains(names, instanceId);
  const lines = [
    '*filter',
    `:${chains.upload} - [0:0]`,
    `:${chains.download} - [0:0]`,
    ...buildTrafficChain('upload', caps.uploadLimit).map((rule) => `-A ${chains.upload} ${rule.join(' ')}`),
    ...buildTrafficChain('download', caps.downloadLimit).map((rule) => `-A ${chains.download} ${rule.join(' ')}`),
    'COMMIT',
    '',
  ];
  await restore(lines.join('\n'));
}

export async function hasTrafficChains(names: NetworkNames, instanceId: string): Promise<boolean> {
  const chains = trafficChains(names, instanceId);
  return runProgram('iptables', ['-w', '-S', chains.upload]).then(
    () => true,
    () => false,
  );
}

/** Delete an instance's accounting chains (nothing may jump to them any more). */
export async function removeTrafficChains(names: NetworkNames, instanceId: string): Promise<void> {
  for (const chain of Object.values(trafficChains(names, instanceId))) {
    await runProgram('iptables', ['-w', '-F', chain]).catch(() => undefined);
    await runProgram('iptables', ['-w', '-X', chain]).catch(() => undefined);
  }
}

/** Bytes counted (passed) and dropped over the cap, from `iptables -S <chain> -v`. */
export function parseCounters(text: string): { counted: number; dropped: number } {
  let counted = 0;
  let dropped = 0;
  for (const line of text.split('\n')) {
    const bytes = Number(/ -c \d+ (\d+)/.exec(line)?.[1] ?? 0);
    if (line.includes('--comment counted')) counted += bytes;
    if (line.includes('--comment over-cap')) dropped += bytes;
  }
  return { counted, dropped };
}

export interface InstanceTraffic {
  upload: number;
  download: number;
  /** Whether a cap stops traffic now. */
  isUploadBlocked: boolean;
  isDownloadBlocked: boolean;
}

/** Read an instance's counters (bytes this period). */
export async function readTraffic(
  names: NetworkNames,
  instanceId: string,
  caps: { uploadLimit?: number; downloadLimit?: number },
): Promise<InstanceTraffic> {
  const chains = trafficChains(names, instanceId);
  const upload = parseCounters(await runProgram('iptables', ['-w', '-S', chains.upload, '-v']).catch(() => ''));
  const download = parseCounters(await runProgram('iptables', ['-w', '-S', chains.download, '-v']).catch(() => ''));
  return {
    upload: upload.counted,
    download: download.counted,
    isUploadBlocked: caps.uploadLimit !== undefined && (upload.dropped > 0 || upload.counted >= caps.uploadLimit),
    isDownloadBlocked:
      caps.downloadLimit !== undefined && (download.dropped > 0 || download.counted >= caps.downloadLimit),
  };
}
