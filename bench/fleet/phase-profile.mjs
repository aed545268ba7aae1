// Where one phase's CPU time went in a cloud process (FLEET_PROFILE=storm): a V8 .cpuprofile
// summarised by total time per function (the function and everything it called), the view that
// shows which of the cloud's steps (authentication, status recording, desired-status push) costs
// most. Self time per function is bench/lib/summarize-profile.mjs.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

/** The `top` functions by total (inclusive) time, skipping node internals and the idle and GC pseudo-frames. */
export async function summarizeTotalTime(path, top = 25) {
  const profile = JSON.parse(await readFile(path, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const keyOf = (node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    return `${functionName || '(anonymous)'} ${url ? `${basename(url)}:${lineNumber + 1}` : ''}`.trim();
  };
  const totals = new Map();
  let busy = 0;
  for (const sample of profile.samples) {
    const leaf = nodes.get(sample);
    if (!leaf || ['(idle)', '(program)', '(garbage collector)'].includes(leaf.callFrame.functionName)) continue;
    busy += 1;
    const seen = new Set();
    for (let id = sample; id !== undefined; id = parentOf.get(id)) {
      const node = nodes.get(id);
      const key = keyOf(node);
      if (seen.has(key) || key === '(root)' || !node.callFrame.url.includes('/')) continue;
      seen.add(key);
      totals.set(key, (totals.get(key) ?? 0) + 1);
    }
  }
  const msPerSample = (profile.endTime - profile.startTime) / 1000 / (profile.samples.length || 1);
  return {
    wallMs: Math.round((profile.endTime - profile.startTime) / 1000),
    busyMs: Math.round(busy * msPerSample),
    functions: [...totals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, samples]) => ({ name, totalMs: Math.round(samples * msPerSample) })),
  };
}
