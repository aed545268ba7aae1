import { describe, expect, it } from 'vitest';
import { findOutputBlocks, rewriteOutputBlocks, toBlockBody } from './output-blocks.mjs';

const PAGE = `# Page

Start it:

<!-- output: start -->
\`\`\`console
$ old command
old output
\`\`\`
<!-- /output -->

Text between.

<!-- output: other -->
<!-- /output -->
`;

describe('output blocks', () => {
  it('finds each block with its name, body and line', () => {
    expect(findOutputBlocks(PAGE)).toEqual([
      { name: 'start', body: '```console\n$ old command\nold output\n```\n', line: 5 },
      { name: 'other', body: '', line: 14 },
    ]);
  });

  it('rewrites the blocks it has a transcript for and keeps the text around them', () => {
    const rewritten = rewriteOutputBlocks(PAGE, new Map([['other', '$ new command\nnew output\n']]));
    expect(rewritten).toBe(
      PAGE.replace('<!-- output: other -->\n', '<!-- output: other -->\n```console\n$ new command\nnew output\n```\n'),
    );
    expect(findOutputBlocks(rewritten)[1]?.body).toBe(toBlockBody('$ new command\nnew output'));
    expect(rewriteOutputBlocks(rewritten, new Map([['other', '$ new command\nnew output']]))).toBe(rewritten);
  });
});
