import { defineConfig } from 'vitest/config';

// Three projects (run one with `pnpm vitest run --project <name>`):
// - browser: the console tests, each a built cloud process driven by Chromium;
// - e2e: real agents on runc, cloud processes, the CLI and scripts as child processes, PostgreSQL;
// - unit: everything else (pure or in-process, fast).
// All share one pool of workers (vitest runs projects with different worker counts one after
// the other, so they must share it to overlap). Most e2e time is spent waiting on runc, child
// processes, Chromium and PostgreSQL rather than on the CPU, so the pool is wider than the
// machine: 4 files at a time on 2 cores (VITEST_MAX_WORKERS overrides it). Every test names its
// host objects after a unique value (temp dirs, cgroup parents with the pid, network tags from
// the storage dir, random database names, ports 0), so files do not collide when run at once;
// `forks` (each file in a child process) keeps the pids that some of those names use distinct.
// The projects are queued by name (browser, e2e, unit): the slowest files start first and the
// many short unit files fill the pool at the end.
const BROWSER = ['apps/cloud/test/*console.test.ts', 'apps/cloud/test/unit-logs.test.ts'];
const E2E = [
  'apps/*/test/**/*.test.ts',
  'bench/**/*.test.ts',
  'scripts/first-start/**/*.test.mjs',
  'scripts/docs-output/docs-output.test.mjs',
];
const UNIT = ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'scripts/**/*.test.mjs'];
const EXCLUDE = ['**/node_modules/**', '**/dist/**', '**/.next/**', '**/.work/**', '**/.data/**'];

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    exclude: EXCLUDE,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The cloud processes tests start hash passwords at scrypt cost 10 instead of 15 (in-process
    // cores get it from @openaos/api/testing's TEST_PASSWORD_HASH_COST): minutes of CPU otherwise.
    env: { OPENAOS_PASSWORD_HASH_COST: '10' },
    pool: 'forks',
    maxWorkers: 4,
    projects: [
      { extends: true, test: { name: 'browser', include: BROWSER } },
      { extends: true, test: { name: 'e2e', include: E2E, exclude: [...EXCLUDE, ...BROWSER] } },
      { extends: true, test: { name: 'unit', include: UNIT, exclude: [...EXCLUDE, ...E2E] } },
    ],
  },
});
