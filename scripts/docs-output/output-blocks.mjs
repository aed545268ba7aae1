// The generated output blocks of the Markdown docs: a fenced block between
//
//   <!-- output: <name> -->
//   ```console
//   $ command
//   output
//   ```
//   <!-- /output -->
//
// The fence and everything in it are written by `node scripts/docs-output.mjs --write` from a
// real run (scripts/docs-output/scenarios/); the text around the markers is the docs' own.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

const BLOCK = /<!-- output: ([a-z0-9-]+) -->\n([\s\S]*?)<!-- \/output -->/g;
const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist', 'coverage']);

/**
 * @typedef {object} OutputBlock
 * @property {string} name
 * @property {string} body what is between the markers now
 * @property {number} line 1-based line of the opening marker
 */

/**
 * The output blocks of a Markdown text, in order.
 * @param {string} text
 * @returns {OutputBlock[]}
 */
export function findOutputBlocks(text) {
  return [...text.matchAll(BLOCK)].map((match) => ({
    name: match[1] ?? '',
    body: match[2] ?? '',
    line: text.slice(0, match.index).split('\n').length,
  }));
}

/**
 * The body a block must have for a captured transcript: a `console` fence around it.
 * @param {string} transcript
 */
export function toBlockBody(transcript) {
  return `\`\`\`console\n${transcript.replace(/\n+$/, '')}\n\`\`\`\n`;
}

/**
 * The text with every block whose name is in `transcripts` rewritten; other blocks stay.
 * @param {string} text
 * @param {Map<string, string>} transcripts
 */
export function rewriteOutputBlocks(text, transcripts) {
  return text.replace(BLOCK, (whole, /** @type {string} */ name) => {
    const transcript = transcripts.get(name);
    return transcript === undefined ? whole : `<!-- output: ${name} -->\n${toBlockBody(transcript)}<!-- /output -->`;
  });
}

/**
 * The Markdown files of the repository (not dependencies, build output or hidden folders).
 * @param {string} root
 * @returns {Promise<string[]>} paths relative to `root`
 */
export async function listMarkdownFiles(root) {
  const found = [];
  const walk = async (/** @type {string} */ dir) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && !entry.name.startsWith('.') && !SKIPPED_DIRECTORIES.has(entry.name)) await walk(path);
      else if (entry.isFile() && entry.name.endsWith('.md')) found.push(relative(root, path).replaceAll('\\', '/'));
    }
  };
  await walk(root);
  return found.sort();
}

/**
 * Every output block of the repository's Markdown files.
 * @param {string} root
 * @returns {Promise<(OutputBlock & { file: string })[]>}
 */
export async function listOutputBlocks(root) {
  const blocks = [];
  for (const file of await listMarkdownFiles(root))
    for (const block of findOutputBlocks(await readFile(join(root, file), 'utf8'))) blocks.push({ ...block, file });
  return blocks;
}
