#!/usr/bin/env node
// Keeps the package graph true: every workspace package declares exactly what it imports
// (dependencies for code that runs, devDependencies for tests and types), and ARCHITECTURE.md's
// diagram and table are the graph the imports make. Run by `pnpm lint`.
//
//   node scripts/check-architecture.mjs           check; exit 1 and say what to change
//   node scripts/check-architecture.mjs --write   also rewrite ARCHITECTURE.md's generated parts
//
// package.json files are never rewritten: a dependency to add or remove is a decision, so the
// check names the file, the field and the dependency instead.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDependencies } from './architecture/check-dependencies.mjs';
import { readInstalledManifest, readWorkspace } from './architecture/read-workspace.mjs';
import { renderArchitecture } from './architecture/render-architecture.mjs';
import { scanImports } from './architecture/scan-imports.mjs';

/**
 * @typedef {import('./architecture/check-dependencies.mjs').Problem} Problem
 */

/**
 * Check the workspace at `root`; with `write`, bring ARCHITECTURE.md up to date first.
 * @param {string} root
 * @param {{ write?: boolean }} [options]
 * @returns {Promise<{ problems: Problem[], isArchitectureWritten: boolean }>}
 */
export async function checkArchitecture(root, options = {}) {
  const packages = await readWorkspace(root);
  const facts = [];
  for (const workspacePackage of packages) {
    const importsByFile = new Map();
    for (const file of workspacePackage.files) importsByFile.set(file.relativePath, await scanImports(file.path));
    const installed = new Map();
    const manifest = workspacePackage.manifest;
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'])
      for (const name of Object.keys(manifest[/** @type {'dependencies'} */ (field)] ?? {}))
        installed.set(name, await readInstalledManifest(workspacePackage.dir, name));
    facts.push({ workspacePackage, importsByFile, installed });
  }
  const { problems, graph } = checkDependencies(facts);

  const architecturePath = join(root, 'ARCHITECTURE.md');
  const text = await readFile(architecturePath, 'utf8');
  let rendered = renderArchitecture(text, packages, graph);
  const isArchitectureWritten = Boolean(options.write) && rendered.text !== text;
  if (isArchitectureWritten) {
    await writeFile(architecturePath, rendered.text);
    rendered = renderArchitecture(rendered.text, packages, graph);
  }
  for (const message of rendered.differences)
    problems.push({ packageName: 'ARCHITECTURE.md', dependency: '', message });
  return { problems, isArchitectureWritten };
}

async function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => arg !== '--write');
  if (unknown.length > 0) {
    console.error(`check-architecture: unknown argument ${unknown.join(' ')}; usage: check-architecture.mjs [--write]`);
    process.exit(64);
  }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const { problems, isArchitectureWritten } = await checkArchitecture(root, { write: args.includes('--write') });
  if (isArchitectureWritten)
    console.log('check-architecture: rewrote the package diagram and table in ARCHITECTURE.md');
  if (problems.length === 0) return;
  console.error(`check-architecture: ${problems.length} problem(s) in the package graph:`);
  for (const problem of problems) console.error(`  - ${problem.message}`);
  if (problems.some((problem) => problem.packageName === 'ARCHITECTURE.md' && !args.includes('--write')))
    console.error('Run `node scripts/check-architecture.mjs --write` to rewrite ARCHITECTURE.md from the imports.');
  process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((/** @type {unknown} */ error) => {
    console.error(`check-architecture: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
