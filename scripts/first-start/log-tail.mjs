import { readFile } from 'node:fs/promises';

/**
 * The last lines of a log file, indented, for an error message ('' when it cannot be read).
 * @param {string} file
 * @param {number} count
 */
export async function readTail(file, count) {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .trimEnd()
    .split('\n')
    .slice(-count)
    .map((line) => `    ${line}`)
    .join('\n');
}
