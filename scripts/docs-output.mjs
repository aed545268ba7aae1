#!/usr/bin/env node
// The command output the docs quote comes from real runs: this script runs the scenarios in
// scripts/docs-output/scenarios/ against the built CLI and cloud (`pnpm build` first) and
// compares every `<!-- output: name -->` block of the Markdown files with what was printed.
// The same check runs in `pnpm test` (scripts/docs-output/docs-output.test.mjs).
//
//   node scripts/docs-output.mjs                  check; exit 1 and show the differences
//   node scripts/docs-output.mjs --write          rewrite the blocks from the run (pnpm docs:write)
//   node scripts/docs-output.mjs cloud --write    only the scenarios named
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listOutputBlocks, rewriteOutputBlocks, toBlockBody } from './docs-output/output-blocks.mjs';
import { SCENARIOS, startScenarios } from './docs-output/run-scenarios.mjs';

async function main() {
  const args = process.argv.slice(2);
  const isWrite = args.includes('--write');
  const names = args.filter((arg) => arg !== '--write');
  const unknown = names.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    console.error(
      `docs-output: no scenario ${unknown.join(', ')}; the scenarios are ${SCENARIOS.map((scenario) => scenario.name).join(', ')}`,
    );
    process.exit(64);
  }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const chosen = names.length ? SCENARIOS.filter((scenario) => names.includes(scenario.name)) : SCENARIOS;

  /** @type {Map<string, string>} */
  const transcripts = new Map();
  const isRoot = process.getuid?.() === 0;
  const runnable = chosen.filter((scenario) => !scenario.needs.includes('root') || isRoot);
  for (const scenario of chosen.filter((candidate) => !runnable.includes(candidate)))
    console.error(`docs-output: skipping ${scenario.name}: it needs root (runc, mounts)`);
  console.error(`docs-output: running ${runnable.map((scenario) => scenario.name).join(', ')}`);
  const failures = [];
  for (const [name, running] of startScenarios(runnable, root)) {
    try {
      for (const [output, text] of await running) transcripts.set(output, text);
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failures.length > 0) throw new Error(`a scenario failed:\n${failures.join('\n')}`);

  const blocks = await listOutputBlocks(root);
  const problems = [];
  if (names.length === 0 && runnable.length === SCENARIOS.length) {
    const known = new Set(SCENARIOS.flatMap((scenario) => scenario.outputs));
    for (const block of blocks)
      if (!known.has(block.name))
        problems.push(
          `${block.file}:${block.line}: no scenario emits "${block.name}" (scripts/docs-output/scenarios/)`,
        );
    for (const name of transcripts.keys())
      if (!blocks.some((block) => block.name === name))
        problems.push(`"${name}" is emitted but no Markdown file has an <!-- output: ${name} --> block`);
  }
  const stale = blocks.filter(
    (block) => transcripts.has(block.name) && block.body !== toBlockBody(transcripts.get(block.name) ?? ''),
  );
  if (isWrite) {
    for (const file of new Set(stale.map((block) => block.file))) {
      const path = join(root, file);
      await writeFile(path, rewriteOutputBlocks(await readFile(path, 'utf8'), transcripts));
      console.error(`docs-output: rewrote ${file}`);
    }
  } else {
    for (const block of stale)
      problems.push(
        `${block.file}:${block.line}: "${block.name}" is not what the run printed:\n${describeDifference(block.body, toBlockBody(transcripts.get(block.name) ?? ''))}`,
      );
  }
  if (problems.length === 0) return;
  for (const problem of problems) console.error(`docs-output: ${problem}`);
  if (!isWrite) console.error('Run `pnpm docs:write` to rewrite the blocks from a fresh run, then review the diff.');
  process.exitCode = 1;
}

/**
 * The first lines that differ, as `- docs` / `+ run`.
 * @param {string} written
 * @param {string} printed
 */
export function describeDifference(written, printed) {
  const before = written.split('\n');
  const after = printed.split('\n');
  const first = before.findIndex((line, index) => line !== after[index]);
  const at = first < 0 ? before.length : first;
  const lines = [];
  for (let index = at; index < Math.min(at + 4, Math.max(before.length, after.length)); index++) {
    if (before[index] !== undefined && before[index] !== after[index]) lines.push(`  - ${before[index]}`);
    if (after[index] !== undefined && before[index] !== after[index]) lines.push(`  + ${after[index]}`);
  }
  return lines.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((/** @type {unknown} */ error) => {
    console.error(`docs-output: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
