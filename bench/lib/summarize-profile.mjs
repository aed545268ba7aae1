// Where the time went: self time per function from a V8 .cpuprofile (node --cpu-prof).
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

export async function summarizeCpuProfile(path, top = 12) {
  const profile = JSON.parse(await readFile(path, 'utf8'));
  const sampleCounts = new Map();
  for (const id of profile.samples) sampleCounts.set(id, (sampleCounts.get(id) ?? 0) + 1);
  const totalSamples = profile.samples.length || 1;
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const byFunction = new Map();
  for (const node of profile.nodes) {
    const samples = sampleCounts.get(node.id) ?? 0;
    if (samples === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url ? `${basename(url)}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + samples);
  }
  return [...byFunction.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, samples]) => ({
      name,
      selfMs: Math.round((samples / totalSamples) * totalMs),
      percent: Math.round((samples / totalSamples) * 1000) / 10,
    }));
}
