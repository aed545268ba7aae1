// The architecture check on small workspaces written to a temporary folder: one that is in
// step, then each way of breaking it, with the message that must name the package, the
// dependency and the fix.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkArchitecture } from '../check-architecture.mjs';

const ARCHITECTURE = `# Fixture

<!-- architecture:graph -->
<!-- /architecture:graph -->

<!-- architecture:table -->
| package | owns | depends on |
| --- | --- | --- |
| \`packages/pki\` | certificates | — |
| \`packages/protocol\` | messages | — |
| \`apps/agent\` | the agent | protocol |
<!-- /architecture:table -->
`;

/** A workspace in step: the agent runs protocol, protocol runs pki, the agent's tests use pki. */
function makeWorkspace() {
  return {
    'package.json': manifest('openaos', {
      devDependencies: { vitest: 'catalog:', tsx: 'catalog:' },
      scripts: { test: 'vitest run' },
    }),
    'pnpm-workspace.yaml': "packages:\n  - 'apps/*'\n  - packages/*\n\ncatalog:\n  zod: 4.0.0\n",
    'ARCHITECTURE.md': ARCHITECTURE,
    'node_modules/vitest/package.json': JSON.stringify({ name: 'vitest', bin: { vitest: 'vitest.mjs' } }),
    'packages/pki/package.json': manifest('@openaos/pki', {
      devDependencies: { typescript: 'catalog:' },
      scripts: { build: 'tsc -p tsconfig.build.json' },
    }),
    'packages/pki/node_modules/typescript/package.json': JSON.stringify({ name: 'typescript', bin: { tsc: 'tsc' } }),
    'packages/pki/src/index.ts': 'export const signJws = () => "jws";\n',
    'packages/protocol/package.json': manifest('@openaos/protocol', {
      exports: { '.': './src/index.ts', './v7': './src/v7/index.ts' },
      dependencies: { '@openaos/pki': 'workspace:*', zod: 'catalog:' },
    }),
    'packages/protocol/src/index.ts':
      "import { z } from 'zod';\nexport { signJws } from '@openaos/pki';\nexport const header = z.object({});\n",
    'packages/protocol/src/v7/index.ts': 'export const version = 7;\n',
    'apps/agent/package.json': manifest('@openaos/agent', {
      dependencies: { '@openaos/protocol': 'workspace:*' },
      devDependencies: { '@openaos/pki': 'workspace:*', '@openaos/tsconfig': 'workspace:*' },
    }),
    'apps/agent/tsconfig.json': JSON.stringify({ extends: '@openaos/tsconfig/base.json' }),
    'apps/agent/src/link.ts':
      "import { version } from '@openaos/protocol/v7';\nimport type { header } from '@openaos/protocol';\nexport const link = { version } satisfies Partial<typeof header>;\n",
    'apps/agent/src/link.test.ts':
      "import { it } from 'vitest';\nimport { signJws } from '@openaos/pki';\nit('signs', () => signJws());\n",
  };
}

/**
 * @param {string} name
 * @param {Record<string, unknown>} fields
 */
function manifest(name, fields) {
  return JSON.stringify({ name, private: true, type: 'module', ...fields }, null, 2);
}

/** @type {string[]} */
const roots = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

/** @param {Record<string, string>} files */
async function writeWorkspace(files) {
  const root = await mkdtemp(join(tmpdir(), 'check-architecture-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

/** The messages of a check of `files` (ARCHITECTURE.md written first, so only package problems remain). */
async function checkPackages(/** @type {Record<string, string>} */ files) {
  const root = await writeWorkspace(files);
  const { problems } = await checkArchitecture(root, { write: true });
  return problems.map((problem) => problem.message);
}

describe('check-architecture', () => {
  it('accepts a workspace in step, with a subpath import, a bin, a tsconfig extends and an allowed unused dependency', async () => {
    const root = await writeWorkspace(makeWorkspace());
    const written = await checkArchitecture(root, { write: true });
    expect(written.problems).toEqual([]);
    expect(written.isArchitectureWritten).toBe(true);

    const architecture = await readFile(join(root, 'ARCHITECTURE.md'), 'utf8');
    expect(architecture).toContain('apps_agent --> packages_protocol');
    expect(architecture).toContain('packages_protocol --> packages_pki');
    expect(architecture).not.toContain('apps_agent --> packages_pki');
    expect(architecture).toContain('| `apps/agent` | the agent | protocol | pki |');
    expect(architecture).toContain('| `packages/protocol` | messages | pki | — |');
    expect(await checkArchitecture(root)).toEqual({ problems: [], isArchitectureWritten: false });
  });

  it('names an import that package.json does not declare', async () => {
    const files = makeWorkspace();
    files['apps/agent/src/cloud-link.ts'] = "import { signJws } from '@openaos/pki';\nexport const sign = signJws;\n";
    expect(await checkPackages(files)).toEqual([
      '@openaos/agent imports @openaos/pki in code that runs (apps/agent/src/cloud-link.ts:1) but lists it in devDependencies: move it to "dependencies" in apps/agent/package.json',
    ]);

    const undeclared = makeWorkspace();
    undeclared['packages/pki/src/index.ts'] = "import { z } from 'zod';\nexport const signJws = () => z.string();\n";
    expect(await checkPackages(undeclared)).toEqual([
      '@openaos/pki imports zod (packages/pki/src/index.ts:1) but does not declare it: add "zod": "catalog:" to "dependencies" in packages/pki/package.json',
    ]);
  });

  it('names a declared dependency that nothing imports', async () => {
    const files = makeWorkspace();
    files['apps/agent/package.json'] = manifest('@openaos/agent', {
      dependencies: { '@openaos/protocol': 'workspace:*', ws: 'catalog:' },
      devDependencies: { '@openaos/pki': 'workspace:*', '@openaos/tsconfig': 'workspace:*' },
    });
    const [message, ...others] = await checkPackages(files);
    expect(others).toEqual([]);
    expect(message).toMatch(
      /^@openaos\/agent declares ws in dependencies, but nothing in apps\/agent imports it or runs its bin: remove it from "dependencies" in apps\/agent\/package.json/,
    );
  });

  it('wants a workspace package that only tests import in devDependencies', async () => {
    const files = makeWorkspace();
    files['apps/agent/package.json'] = manifest('@openaos/agent', {
      dependencies: { '@openaos/protocol': 'workspace:*', '@openaos/pki': 'workspace:*' },
      devDependencies: { '@openaos/tsconfig': 'workspace:*' },
    });
    expect(await checkPackages(files)).toEqual([
      '@openaos/agent lists @openaos/pki in dependencies, but only its tests use it (apps/agent/src/link.test.ts:2): move it to "devDependencies" in apps/agent/package.json',
    ]);
  });

  it('refuses a subpath the package does not export', async () => {
    const files = makeWorkspace();
    files['apps/agent/src/link.ts'] =
      "import { version } from '@openaos/protocol/v8';\nexport const link = { version };\n";
    expect(await checkPackages(files)).toEqual([
      '@openaos/agent imports @openaos/protocol/v8 (apps/agent/src/link.ts:1), which @openaos/protocol does not export: add "./v8" to "exports" in packages/protocol/package.json, or import what it exports',
    ]);
  });

  it('finds a cycle and a forbidden run-time path', async () => {
    const files = makeWorkspace();
    files['packages/pki/package.json'] = manifest('@openaos/pki', {
      dependencies: { '@openaos/protocol': 'workspace:*' },
      devDependencies: { typescript: 'catalog:' },
      scripts: { build: 'tsc' },
    });
    files['packages/pki/src/index.ts'] =
      "import { header } from '@openaos/protocol';\nexport const signJws = () => header;\n";
    files['packages/db/package.json'] = manifest('@openaos/db', {});
    files['packages/db/src/index.ts'] = 'export const db = 1;\n';
    files['packages/protocol/package.json'] = manifest('@openaos/protocol', {
      exports: { '.': './src/index.ts', './v7': './src/v7/index.ts' },
      dependencies: { '@openaos/pki': 'workspace:*', '@openaos/db': 'workspace:*', zod: 'catalog:' },
    });
    files['packages/protocol/src/index.ts'] += "export { db } from '@openaos/db';\n";
    const messages = await checkPackages(files);
    expect(messages).toContain(
      'packages depend on each other in a cycle: @openaos/protocol → @openaos/pki → @openaos/protocol; move what both need into a package below them',
    );
    expect(messages).toContain(
      "@openaos/agent reaches @openaos/db at run time (@openaos/agent → @openaos/protocol → @openaos/db), which is not allowed: the agent and the CLI run on devices, which have no database server, so they must not load the cloud's code",
    );
  });

  it('reports a diagram and a table that no longer match the imports, and --write brings them back', async () => {
    const root = await writeWorkspace(makeWorkspace());
    await checkArchitecture(root, { write: true });
    const path = join(root, 'ARCHITECTURE.md');
    const stale = (await readFile(path, 'utf8'))
      .replace('  packages_protocol --> packages_pki\n', '  apps_agent --> packages_pki\n')
      .replace('| `packages/protocol` | messages | pki | — |', '| `packages/protocol` | messages | config | — |');
    await writeFile(path, stale);

    const { problems } = await checkArchitecture(root);
    expect(problems.map((problem) => problem.message)).toEqual([
      "ARCHITECTURE.md's package diagram differs from the imports: missing arrow packages/protocol → packages/pki; arrow apps/agent → packages/pki that the code no longer has",
      `ARCHITECTURE.md's package table says packages/protocol depends on "config | —" (run time | dev only); its imports say "pki | —"`,
    ]);
    expect((await checkArchitecture(root, { write: true })).problems).toEqual([]);
    expect(await readFile(path, 'utf8')).not.toBe(stale);
  });

  it('adds a row for a new package and refuses it until it says what the package owns', async () => {
    const files = makeWorkspace();
    files['packages/db/package.json'] = manifest('@openaos/db', {});
    files['packages/db/src/index.ts'] = 'export const db = 1;\n';
    expect(await checkPackages(files)).toEqual([
      'ARCHITECTURE.md\'s package table does not say what packages/db owns: replace "(describe what it owns)"',
    ]);
  });
});
