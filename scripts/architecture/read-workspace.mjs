// Reads the workspace: its packages (pnpm-workspace.yaml plus the root), their manifests, and
// their source files sorted into what runs (source), what only tests run (test) and tool
// configuration (config).
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** @typedef {'source' | 'test' | 'config'} FileKind */

/**
 * @typedef {object} SourceFile
 * @property {string} path absolute path
 * @property {string} relativePath path from the repository root, with `/`
 * @property {FileKind} kind
 */

/**
 * @typedef {object} Manifest
 * @property {string} [name]
 * @property {Record<string, string>} [dependencies]
 * @property {Record<string, string>} [devDependencies]
 * @property {Record<string, string>} [peerDependencies]
 * @property {Record<string, string>} [optionalDependencies]
 * @property {Record<string, { optional?: boolean }>} [peerDependenciesMeta]
 * @property {Record<string, string>} [scripts]
 * @property {string | Record<string, string>} [bin]
 * @property {string | Record<string, unknown>} [exports]
 */

/**
 * @typedef {object} WorkspacePackage
 * @property {string} name the package.json name
 * @property {string} dir absolute directory
 * @property {string} relativeDir directory from the repository root (`.` for the root)
 * @property {boolean} isRoot the workspace root: tooling only, nothing of it runs in a product
 * @property {Manifest} manifest
 * @property {SourceFile[]} files
 * @property {string[]} tsconfigExtends what its tsconfig files extend (`@openaos/tsconfig/base.json`)
 */

const CODE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
/** Tests beside the code (`*.test.ts`), test folders and test helpers (`testing/`, `test-helpers.ts`). */
const TEST_PATH = /(?:^|\/)(?:test|tests|testing|__tests__)\/|\.(?:test|spec)\.[cm]?[jt]sx?$|(?:^|\/)test-[^/]+$/;
/** Tool configuration at a package's top level: `next.config.ts`, `drizzle.config.ts`, `vitest.config.ts`. */
const CONFIG_PATH = /^[^/]+\.config\.[cm]?[jt]s$/;
const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist', 'coverage', 'build', 'out']);

/**
 * The workspace at `root`: the root package and every package pnpm-workspace.yaml names.
 * @param {string} root
 * @returns {Promise<WorkspacePackage[]>}
 */
export async function readWorkspace(root) {
  const packageDirs = await listPackageDirs(root);
  const packages = [await readPackage(root, root, packageDirs)];
  for (const dir of packageDirs) packages.push(await readPackage(root, dir, []));
  return packages;
}

/**
 * The package folders pnpm-workspace.yaml lists. Only its `packages:` list is read, and only
 * the forms this repository uses: `dir` and `dir/*`.
 * @param {string} root
 */
async function listPackageDirs(root) {
  const text = await readFile(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const patterns = [];
  let isInList = false;
  for (const line of text.split('\n')) {
    if (/^packages:\s*$/.test(line)) isInList = true;
    else if (isInList && /^\s+-\s+/.test(line))
      patterns.push(
        line
          .replace(/^\s+-\s+/, '')
          .replace(/['"]/g, '')
          .trim(),
      );
    else if (isInList && /^\S/.test(line)) isInList = false;
  }
  const dirs = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*') && !pattern.slice(0, -2).includes('*')) {
      const parent = join(root, pattern.slice(0, -2));
      const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
      for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name)))
        if (entry.isDirectory() && (await hasManifest(join(parent, entry.name)))) dirs.push(join(parent, entry.name));
    } else if (!pattern.includes('*')) {
      if (await hasManifest(join(root, pattern))) dirs.push(join(root, pattern));
    } else {
      throw new Error(
        `reading pnpm-workspace.yaml: the package pattern "${pattern}" is not supported by scripts/architecture/read-workspace.mjs (only "dir" and "dir/*"); extend listPackageDirs`,
      );
    }
  }
  return dirs;
}

/** @param {string} dir */
async function hasManifest(dir) {
  return readFile(join(dir, 'package.json')).then(
    () => true,
    () => false,
  );
}

/**
 * @param {string} root
 * @param {string} dir
 * @param {string[]} excludedDirs package folders inside this one (for the root: every package)
 * @returns {Promise<WorkspacePackage>}
 */
async function readPackage(root, dir, excludedDirs) {
  const relativeDir = relative(root, dir).replaceAll('\\', '/') || '.';
  /** @type {Manifest} */
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  const isRoot = dir === root;
  const files = [];
  const tsconfigExtends = [];
  for (const path of await listFiles(dir, new Set(excludedDirs))) {
    const inPackage = relative(dir, path).replaceAll('\\', '/');
    if (/(?:^|\/)tsconfig[^/]*\.json$/.test(inPackage)) {
      tsconfigExtends.push(...readExtends(await readFile(path, 'utf8')));
    } else if (CODE_FILE.test(inPackage) && !inPackage.endsWith('.d.ts')) {
      /** @type {FileKind} */
      const kind = TEST_PATH.test(inPackage) ? 'test' : isRoot || CONFIG_PATH.test(inPackage) ? 'config' : 'source';
      files.push({ path, relativePath: relative(root, path).replaceAll('\\', '/'), kind });
    }
  }
  return { name: manifest.name ?? relativeDir, dir, relativeDir, isRoot, manifest, files, tsconfigExtends };
}

/**
 * Every file under `dir`, skipping dependencies, build output, hidden folders and `excluded`.
 * @param {string} dir
 * @param {Set<string>} excluded
 * @returns {Promise<string[]>}
 */
async function listFiles(dir, excluded) {
  const paths = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !SKIPPED_DIRECTORIES.has(entry.name) && !excluded.has(path))
        paths.push(...(await listFiles(path, excluded)));
    } else if (entry.isFile()) {
      paths.push(path);
    }
  }
  return paths.sort();
}

/**
 * The `extends` of a tsconfig file (a string or a list of strings).
 * @param {string} text
 */
function readExtends(text) {
  const match = /"extends"\s*:\s*("[^"]*"|\[[^\]]*\])/.exec(text);
  if (!match?.[1]) return [];
  return [...match[1].matchAll(/"([^"]*)"/g)].map((found) => found[1] ?? '');
}

/**
 * The manifest of a dependency as installed for a package (its bins and peers), or undefined
 * when it is not installed.
 * @param {string} packageDir
 * @param {string} dependency
 * @returns {Promise<Manifest | undefined>}
 */
export async function readInstalledManifest(packageDir, dependency) {
  try {
    return JSON.parse(await readFile(join(packageDir, 'node_modules', dependency, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
}
