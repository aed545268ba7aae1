// The docs quote what the built CLI and cloud print: each scenario runs for real (the built
// apps, PGlite, PostgreSQL, curl, umoci, skopeo) and every `<!-- output: name -->` block must
// equal its normalised transcript. When a block differs, `pnpm docs:write` rewrites it from a
// fresh run; review the diff like any other change to the docs.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { listOutputBlocks, toBlockBody } from './output-blocks.mjs';
import { SCENARIOS, startScenarios } from './run-scenarios.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const blocks = await listOutputBlocks(root);
const isRoot = process.getuid?.() === 0;

describe('docs output blocks', () => {
  it('come from a scenario, and every scenario output is shown somewhere', () => {
    const emitted = new Set(SCENARIOS.flatMap((scenario) => scenario.outputs));
    expect(blocks.filter((block) => !emitted.has(block.name)).map((block) => `${block.file}:${block.line}`)).toEqual(
      [],
    );
    expect([...emitted].filter((name) => !blocks.some((block) => block.name === name))).toEqual([]);
  });
});

// Scenarios that run containers need root, like the agent's own tests.
const runnable = SCENARIOS.filter((scenario) => !scenario.needs.includes('root') || isRoot);
/** @type {Map<string, Promise<Map<string, string>>> | undefined} */
let running;

for (const scenario of SCENARIOS) {
  describe.skipIf(!runnable.includes(scenario))(`docs output of ${scenario.name}`, () => {
    /** @type {Map<string, string>} */
    let transcripts = new Map();
    beforeAll(async () => {
      // All scenarios start with the first: they mostly wait, so together they take little longer than one.
      running ??= startScenarios(runnable, root);
      transcripts = (await running.get(scenario.name)) ?? new Map();
    }, 600_000);

    for (const block of blocks.filter((candidate) => scenario.outputs.includes(candidate.name))) {
      it(`${block.file}:${block.line} ${block.name}`, () => {
        expect(
          block.body,
          `${block.file}:${block.line} "${block.name}" is not what the run printed: run \`pnpm docs:write\` and review the diff`,
        ).toBe(toBlockBody(transcripts.get(block.name) ?? ''));
      });
    }
  });
}
