#!/usr/bin/env node
// docs/cli-reference.md is generated from the commands' own help, so it cannot drift: this script
// walks the built CLI's command tree (apps/cli/dist, `pnpm build` first), prints every command's
// help as `aos <command> --help` does (at 80 columns, no colours: as in a pipe) and writes the page. `pnpm test` checks the checked-in page against a fresh one
// (scripts/cli-reference.test.mjs).
//
//   node scripts/cli-reference.mjs            check; exit 1 and name the first difference
//   node scripts/cli-reference.mjs --write    rewrite docs/cli-reference.md
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const referencePath = join(root, 'docs', 'cli-reference.md');
export const REGENERATE = 'node scripts/cli-reference.mjs --write (after pnpm build)';

/**
 * Every command's help, `aos` first, then depth first in the order `aos --help` lists them: the
 * built CLI's own commander tree, each command's help printed as `aos <command> --help` prints it
 * (same text, same before/after help), at 80 columns without colours as in a pipe.
 */
async function collectHelp() {
  const programModule = join(root, 'apps', 'cli', 'dist', 'program.js');
  if (!existsSync(programModule)) {
    throw new Error(`cli-reference: the CLI is not built (${programModule} is missing): run pnpm build first`);
  }
  const { createProgram } = await import(pathToFileURL(programModule).href);
  let printed = '';
  const io = { stdout: { write: (text) => ((printed += text), true) }, stderr: { write: () => true } };
  const program = createProgram(io, {}, { exitCode: 0 });
  /** @type {{ path: string[]; help: string }[]} */
  const entries = [];
  const visit = (command, path) => {
    command.configureOutput({ getOutHelpWidth: () => 80, getOutHasColors: () => false });
    printed = '';
    command.outputHelp();
    entries.push({ path, help: printed.trimEnd() });
    for (const child of command.commands) if (!child._hidden) visit(child, [...path, child.name()]);
  };
  visit(program, []);
  return entries;
}

/** The page, from the commands' help as it is now. */
export async function generateReference() {
  const [top, ...commands] = await collectHelp();
  const anchor = (path) => ['aos', ...path].join('-');
  const lines = [
    '# CLI reference',
    '',
    "<!-- Generated from the commands' own help by scripts/cli-reference.mjs; do not edit by hand.",
    `     Regenerate: ${REGENERATE}. pnpm test fails when this file differs. -->`,
    '',
    'Every `aos` command and its options, exactly as `aos <command> --help` prints them. The',
    'guide with examples and real output is [cli.md](cli.md); the groups below follow `aos --help`.',
    '',
    ...commands.map(({ path }) => `${'  '.repeat(path.length - 1)}- [\`aos ${path.join(' ')}\`](#${anchor(path)})`),
    '',
    '## aos',
    '',
    '```text',
    top.help,
    '```',
  ];
  for (const { path, help } of commands) {
    lines.push('', `<a id="${anchor(path)}"></a>`, '', `## aos ${path.join(' ')}`, '', '```text', help, '```');
  }
  return `${lines.join('\n')}\n`;
}

/** The first line where two texts differ, for the failure message. */
export function firstDifference(expected, actual) {
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    if (a[index] !== b[index]) {
      return `line ${index + 1}: checked in ${JSON.stringify(a[index] ?? '(end of file)')}, generated ${JSON.stringify(b[index] ?? '(end of file)')}`;
    }
  }
  return 'no difference';
}

async function main() {
  const write = process.argv.includes('--write');
  const generated = await generateReference();
  if (write) {
    await writeFile(referencePath, generated);
    console.log(`cli-reference: wrote ${referencePath}`);
    return;
  }
  const checkedIn = existsSync(referencePath) ? await readFile(referencePath, 'utf8') : '';
  if (checkedIn === generated) {
    console.log("cli-reference: docs/cli-reference.md matches the commands' help");
    return;
  }
  console.error(
    `cli-reference: docs/cli-reference.md differs from the commands' help (${firstDifference(checkedIn, generated)}); regenerate it: ${REGENERATE}`,
  );
  process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
