// Live JS heap by module from a V8 sampling heap profile (node --heap-prof; written at exit, it
// holds the sampled allocations still alive then). Each sample's bytes go to the innermost frame
// of the stack that belongs to a script of ours or of a package (node's own `node:` internals are
// skipped when a caller is known), grouped by package: `@openaos/agent`, `zod`, `ws`, …
import { readFile } from 'node:fs/promises';

/** `file:///…/node_modules/.pnpm/zod@4.1.0/node_modules/zod/…` → `zod`; apps/agent/dist → `@openaos/agent`. */
export function moduleOf(url) {
  if (url === '') return '(V8 / no script)';
  if (url.startsWith('node:')) return 'node internals';
  const path = url.replace(/^file:\/\//, '');
  const inModules = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (inModules) return inModules[1];
  const inWorkspace = /\/(apps|packages)\/([^/]+)\//.exec(path);
  if (inWorkspace) return `@openaos/${inWorkspace[2]}`;
  return path;
}

export async function summarizeHeapProfile(file) {
  const profile = JSON.parse(await readFile(file, 'utf8'));
  const totals = new Map();
  const visit = (node, owner) => {
    const url = node.callFrame.url;
    const own = url !== '' && !url.startsWith('node:') ? moduleOf(url) : owner;
    const module = own ?? moduleOf(url);
    if (node.selfSize > 0) totals.set(module, (totals.get(module) ?? 0) + node.selfSize);
    for (const child of node.children ?? []) visit(child, own);
  };
  visit(profile.head, undefined);
  return [...totals.entries()].map(([module, bytes]) => ({ module, bytes })).sort((a, b) => b.bytes - a.bytes);
}
