// docs/cli-reference.md is the commands' own help (scripts/cli-reference.mjs): this fails when the
// checked-in page differs from a fresh one, naming the first differing line and the command that
// rewrites it. Needs the built CLI (`pnpm test` builds first).
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { firstDifference, generateReference, referencePath, REGENERATE } from './cli-reference.mjs';

describe('docs/cli-reference.md', () => {
  it("is what the commands' --help prints now", async () => {
    const generated = await generateReference();
    const checkedIn = await readFile(referencePath, 'utf8').catch(() => '');
    if (checkedIn !== generated) {
      expect.fail(
        `docs/cli-reference.md differs from the commands' help (${firstDifference(checkedIn, generated)}): regenerate it with ${REGENERATE}`,
      );
    }
    // Every command is there, down to the admin's subcommands.
    for (const command of [
      'aos subject bind',
      'aos unit-set add-units',
      'aos admin user deactivate',
      'aos rollout abort',
    ])
      expect(generated).toContain(`## ${command}\n`);
  });

  it('puts every top-level command under a heading of the docs (none left under "Commands:")', async () => {
    const generated = await generateReference();
    const top = generated.slice(generated.indexOf('## aos\n'), generated.indexOf('<a id='));
    const ungrouped = top.slice(top.indexOf('Commands:'));
    expect(top).toContain('Fleet (OEM):');
    // Only commander's own `help [command]` may stay under the default heading.
    if (top.includes('Commands:')) expect(ungrouped.split('\n\n')[0]).toMatch(/^Commands:\n\s+help \[command\][^\n]*$/);
  });

  it('names the first difference and the command that regenerates it', () => {
    expect(firstDifference('a\nb\n', 'a\nc\n')).toBe('line 2: checked in "b", generated "c"');
    expect(REGENERATE).toBe('node scripts/cli-reference.mjs --write (after pnpm build)');
  });
});
