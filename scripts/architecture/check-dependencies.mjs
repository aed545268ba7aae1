// Compares what each workspace package imports with what its package.json declares, and
// derives the package graph from the imports. The rules (ARCHITECTURE.md, "Checked"):
// - code that runs imports only what `dependencies` lists; tests, type-only imports and tool
//   configuration may use `devDependencies` (tests and configuration also the root's);
// - workspace packages: `dependencies` holds exactly those imported by code that runs,
//   `devDependencies` exactly those imported only by tests or for their types;
// - nothing is declared that nothing uses (imports, bins in the package's scripts, tsconfig
//   `extends`, peers of what is used, `@types/*` of what is used, or ALLOWED_UNUSED);
// - a subpath import (`@openaos/protocol/v7`) counts as its package and must be exported;
// - no cycles, and none of the forbidden run-time paths in FORBIDDEN_RUNTIME_PATHS.

/**
 * Declared dependencies that nothing in their package imports or runs by name, kept on purpose.
 * Keyed by package name, then dependency; the value says why. Keep it short: each entry is a
 * dependency the check cannot see being used.
 * @type {Record<string, Record<string, string>>}
 */
export const ALLOWED_UNUSED = {
  openaos: {
    // `node --import tsx` runs the agent's TypeScript sources in a child process
    // (apps/agent/src/install/run-install-worker.ts from source, apps/agent/test/helpers.ts).
    tsx: 'loaded by `node --import tsx` to run TypeScript sources in child processes',
  },
};

/**
 * Run-time paths that must not exist, with the reason. A path counts when it goes through
 * `dependencies` only: a devDependency for types or tests is not there at run time.
 * @type {{ from: string[], to: string[], why: string }[]}
 */
export const FORBIDDEN_RUNTIME_PATHS = [
  {
    from: ['@openaos/agent', '@openaos/cli'],
    to: ['@openaos/db', '@openaos/api'],
    why: "the agent and the CLI run on devices, which have no database server, so they must not load the cloud's code",
  },
];

/**
 * @typedef {import('./read-workspace.mjs').WorkspacePackage} WorkspacePackage
 * @typedef {import('./read-workspace.mjs').Manifest} Manifest
 * @typedef {import('./scan-imports.mjs').ImportSite} ImportSite
 * @typedef {{ file: string, line: number, specifier: string }} Site
 * @typedef {{ runtime: Site[], types: Site[], tests: Site[], config: Site[] }} Usage
 * @typedef {{ packageName: string, dependency: string, message: string }} Problem
 * @typedef {{ runtime: string[], types: string[], tests: string[] }} Edges workspace dependencies by kind
 */

/**
 * @typedef {object} PackageFacts
 * @property {WorkspacePackage} workspacePackage
 * @property {Map<string, ImportSite[]>} importsByFile imports of each of its files (relative path → sites)
 * @property {Map<string, Manifest | undefined>} installed installed manifests of its declared dependencies
 */

const RUNTIME_FIELDS = /** @type {const} */ (['dependencies', 'optionalDependencies', 'peerDependencies']);

/**
 * Check every package; return the problems and the workspace graph the imports describe.
 * @param {PackageFacts[]} facts
 * @returns {{ problems: Problem[], graph: Map<string, Edges> }}
 */
export function checkDependencies(facts) {
  /** @type {Problem[]} */
  const problems = [];
  const byName = new Map(facts.map((fact) => [fact.workspacePackage.name, fact.workspacePackage]));
  const root = facts.find((fact) => fact.workspacePackage.isRoot)?.workspacePackage;
  /** @type {Map<string, Edges>} */
  const graph = new Map();
  for (const fact of facts) {
    const usage = collectUsage(fact);
    const usedByTooling = findUsedByTooling(fact, usage);
    problems.push(...checkImports(fact.workspacePackage, usage, usedByTooling, byName, root));
    problems.push(...checkDeclarations(fact, usage, usedByTooling));
    if (!fact.workspacePackage.isRoot) graph.set(fact.workspacePackage.name, toEdges(usage, byName));
  }
  problems.push(
    ...checkCycles(
      facts.map((fact) => fact.workspacePackage).filter((p) => !p.isRoot),
      byName,
    ),
  );
  problems.push(...checkForbiddenPaths(byName));
  return { problems, graph };
}

/**
 * What the package imports, by package, split by where the import is.
 * @param {PackageFacts} fact
 * @returns {Map<string, Usage>}
 */
function collectUsage(fact) {
  /** @type {Map<string, Usage>} */
  const usage = new Map();
  for (const file of fact.workspacePackage.files) {
    for (const site of fact.importsByFile.get(file.relativePath) ?? []) {
      if (site.packageName === fact.workspacePackage.name) continue;
      const entry = usage.get(site.packageName) ?? { runtime: [], types: [], tests: [], config: [] };
      usage.set(site.packageName, entry);
      const where = { file: file.relativePath, line: site.line, specifier: site.specifier };
      if (file.kind === 'test') entry.tests.push(where);
      else if (file.kind === 'config') entry.config.push(where);
      else if (site.isTypeOnly) entry.types.push(where);
      else entry.runtime.push(where);
    }
  }
  return usage;
}

/**
 * Each import is declared, in the right field, and (for workspace packages) exported.
 * @param {WorkspacePackage} pkg
 * @param {Map<string, Usage>} usage
 * @param {Set<string>} usedByTooling
 * @param {Map<string, WorkspacePackage>} byName
 * @param {WorkspacePackage | undefined} root
 * @returns {Problem[]}
 */
function checkImports(pkg, usage, usedByTooling, byName, root) {
  const problems = [];
  const manifestPath = `${pkg.relativeDir === '.' ? '' : `${pkg.relativeDir}/`}package.json`;
  const inRuntime = (/** @type {string} */ name) => RUNTIME_FIELDS.some((field) => pkg.manifest[field]?.[name]);
  const inDev = (/** @type {string} */ name) => Boolean(pkg.manifest.devDependencies?.[name]);
  for (const [name, sites] of usage) {
    const target = byName.get(name);
    const version = target ? 'workspace:*' : 'catalog:';
    const report = (/** @type {string} */ message) =>
      problems.push({ packageName: pkg.name, dependency: name, message });
    for (const site of [...sites.runtime, ...sites.types, ...sites.tests, ...sites.config]) {
      const missing = target && findMissingExport(target.manifest, name, site.specifier);
      if (missing)
        report(
          `${pkg.name} imports ${site.specifier} (${site.file}:${site.line}), which ${name} does not export: add "${missing}" to "exports" in ${target.relativeDir}/package.json, or import what it exports`,
        );
    }
    const isRuntime = sites.runtime.length > 0 && !pkg.isRoot;
    if (isRuntime) {
      if (inRuntime(name)) continue;
      report(
        inDev(name)
          ? `${pkg.name} imports ${name} in code that runs (${describeSites(sites.runtime)}) but lists it in devDependencies: move it to "dependencies" in ${manifestPath}`
          : `${pkg.name} imports ${name} (${describeSites(sites.runtime)}) but does not declare it: add "${name}": "${version}" to "dependencies" in ${manifestPath}`,
      );
      continue;
    }
    const devSites = [...sites.types, ...sites.tests, ...sites.config];
    // Third-party packages may sit in dependencies for their types or as a peer of one that runs.
    const isTestOnly = sites.types.length === 0 && sites.config.length === 0 && !usedByTooling.has(name);
    if (inRuntime(name) && !pkg.isRoot && (target || isTestOnly)) {
      report(
        `${pkg.name} lists ${name} in dependencies, but only its ${describeDevUse(sites)} use it (${describeSites(devSites)}): move it to "devDependencies" in ${manifestPath}`,
      );
      continue;
    }
    if (inRuntime(name) || inDev(name)) continue;
    const isRootEnough = sites.types.length === 0 && !target && Boolean(root?.manifest.devDependencies?.[name]);
    if (isRootEnough) continue;
    report(
      `${pkg.name} imports ${name} in ${describeDevUse(sites)} (${describeSites(devSites)}) but does not declare it: add "${name}": "${version}" to "devDependencies" in ${manifestPath}`,
    );
  }
  return problems;
}

/**
 * Every declared dependency is used, and a workspace package is declared where its use says.
 * @param {PackageFacts} fact
 * @param {Map<string, Usage>} usage
 * @param {Set<string>} used dependencies used other than by an import
 * @returns {Problem[]}
 */
function checkDeclarations(fact, usage, used) {
  const pkg = fact.workspacePackage;
  const problems = [];
  const manifestPath = `${pkg.relativeDir === '.' ? '' : `${pkg.relativeDir}/`}package.json`;
  const allowed = ALLOWED_UNUSED[pkg.name] ?? {};
  for (const field of [...RUNTIME_FIELDS, 'devDependencies']) {
    for (const name of Object.keys(pkg.manifest[/** @type {keyof Manifest} */ (field)] ?? {})) {
      if (field === 'peerDependencies' && pkg.manifest.devDependencies?.[name]) continue;
      const isUsed = usage.has(name) || used.has(name);
      if (allowed[name] && isUsed)
        problems.push({
          packageName: pkg.name,
          dependency: name,
          message: `${pkg.name} uses ${name}, which ALLOWED_UNUSED in scripts/architecture/check-dependencies.mjs still lists as unused: remove that entry`,
        });
      if (isUsed || allowed[name]) continue;
      problems.push({
        packageName: pkg.name,
        dependency: name,
        message: `${pkg.name} declares ${name} in ${field}, but nothing in ${pkg.relativeDir === '.' ? 'the root' : pkg.relativeDir} imports it or runs its bin: remove it from "${field}" in ${manifestPath} (or, if it is used in a way this check cannot see, add it with the reason to ALLOWED_UNUSED in scripts/architecture/check-dependencies.mjs)`,
      });
    }
  }
  for (const name of Object.keys(allowed)) {
    const isDeclared = [...RUNTIME_FIELDS, 'devDependencies'].some(
      (field) => pkg.manifest[/** @type {'dependencies'} */ (field)]?.[name],
    );
    if (!isDeclared)
      problems.push({
        packageName: pkg.name,
        dependency: name,
        message: `ALLOWED_UNUSED in scripts/architecture/check-dependencies.mjs lists ${name} for ${pkg.name}, which does not declare it: remove that entry`,
      });
  }
  return problems;
}

/**
 * Declared dependencies used other than by an import: a bin named in the package's scripts,
 * a tsconfig `extends`, a peer of something used, `@types/*` of something used, `@types/node`.
 * @param {PackageFacts} fact
 * @param {Map<string, Usage>} usage
 * @returns {Set<string>}
 */
function findUsedByTooling(fact, usage) {
  const pkg = fact.workspacePackage;
  const declared = new Set(
    [...RUNTIME_FIELDS, 'devDependencies'].flatMap((field) =>
      Object.keys(pkg.manifest[/** @type {'dependencies'} */ (field)] ?? {}),
    ),
  );
  const scriptWords = new Set(
    Object.values(pkg.manifest.scripts ?? {}).flatMap((script) => script.split(/[\s;&|()]+/)),
  );
  const used = new Set(['@types/node']);
  for (const name of declared) {
    if (listBins(name, fact.installed.get(name)).some((bin) => scriptWords.has(bin))) used.add(name);
    if (pkg.tsconfigExtends.some((extended) => extended === name || extended.startsWith(`${name}/`))) used.add(name);
  }
  // Peers and types of what is used are used too; repeat until nothing new is found.
  for (let size = -1; size !== used.size; ) {
    size = used.size;
    for (const name of [...usage.keys(), ...used]) {
      for (const peer of Object.keys(fact.installed.get(name)?.peerDependencies ?? {}))
        if (declared.has(peer)) used.add(peer);
      const types = `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;
      if (declared.has(types)) used.add(types);
    }
  }
  return used;
}

/**
 * @param {string} name
 * @param {Manifest | undefined} manifest
 * @returns {string[]}
 */
function listBins(name, manifest) {
  if (!manifest?.bin) return [];
  if (typeof manifest.bin === 'string') return [name.replace(/^@[^/]+\//, '')];
  return Object.keys(manifest.bin);
}

/**
 * The export key a specifier needs that the package does not have, or undefined.
 * @param {Manifest} manifest
 * @param {string} name
 * @param {string} specifier
 */
function findMissingExport(manifest, name, specifier) {
  if (manifest.exports === undefined) return undefined;
  const subpath = specifier === name ? '.' : `./${specifier.slice(name.length + 1)}`;
  const exportsMap = manifest.exports;
  const keys =
    typeof exportsMap === 'string' || Object.keys(exportsMap).every((key) => !key.startsWith('.'))
      ? ['.']
      : Object.keys(exportsMap);
  const isExported = keys.some((key) => {
    if (!key.includes('*')) return key === subpath;
    const [before = '', after = ''] = key.split('*');
    return subpath.startsWith(before) && subpath.endsWith(after) && subpath.length >= key.length - 1;
  });
  return isExported ? undefined : subpath;
}

/**
 * @param {Map<string, Usage>} usage
 * @param {Map<string, WorkspacePackage>} byName
 * @returns {Edges}
 */
function toEdges(usage, byName) {
  /** @type {Edges} */
  const edges = { runtime: [], types: [], tests: [] };
  for (const [name, sites] of usage) {
    if (!byName.has(name)) continue;
    if (sites.runtime.length > 0) edges.runtime.push(name);
    else if (sites.types.length > 0) edges.types.push(name);
    else edges.tests.push(name);
  }
  for (const list of Object.values(edges)) list.sort();
  return edges;
}

/**
 * Workspace packages must not depend on each other in a cycle (declared dependencies of any kind:
 * turbo builds a package's devDependencies first too).
 * @param {WorkspacePackage[]} packages
 * @param {Map<string, WorkspacePackage>} byName
 * @returns {Problem[]}
 */
function checkCycles(packages, byName) {
  const problems = [];
  const next = (/** @type {WorkspacePackage} */ pkg) =>
    [...RUNTIME_FIELDS, 'devDependencies']
      .flatMap((field) => Object.keys(pkg.manifest[/** @type {'dependencies'} */ (field)] ?? {}))
      .filter((name) => byName.has(name) && !byName.get(name)?.isRoot);
  /** @type {Map<string, 'visiting' | 'done'>} */
  const state = new Map();
  /** @type {string[]} */
  const stack = [];
  const visit = (/** @type {string} */ name) => {
    state.set(name, 'visiting');
    stack.push(name);
    const pkg = byName.get(name);
    for (const dependency of pkg ? next(pkg) : []) {
      if (state.get(dependency) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(dependency)), dependency];
        problems.push({
          packageName: name,
          dependency,
          message: `packages depend on each other in a cycle: ${cycle.join(' → ')}; move what both need into a package below them`,
        });
      } else if (!state.has(dependency)) visit(dependency);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const pkg of packages) if (!state.has(pkg.name)) visit(pkg.name);
  return problems;
}

/**
 * @param {Map<string, WorkspacePackage>} byName
 * @returns {Problem[]}
 */
function checkForbiddenPaths(byName) {
  const problems = [];
  for (const rule of FORBIDDEN_RUNTIME_PATHS) {
    for (const from of rule.from) {
      /** @type {Map<string, string[]>} path to each package reached through dependencies */
      const paths = new Map([[from, [from]]]);
      const queue = [from];
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const dependencies = RUNTIME_FIELDS.flatMap((field) => Object.keys(byName.get(name)?.manifest[field] ?? {}));
        for (const dependency of dependencies) {
          if (!byName.has(dependency) || paths.has(dependency)) continue;
          paths.set(dependency, [...(paths.get(name) ?? []), dependency]);
          queue.push(dependency);
        }
      }
      for (const to of rule.to) {
        const path = paths.get(to);
        if (path)
          problems.push({
            packageName: from,
            dependency: to,
            message: `${from} reaches ${to} at run time (${path.join(' → ')}), which is not allowed: ${rule.why}`,
          });
      }
    }
  }
  return problems;
}

/** @param {Site[]} sites */
function describeSites(sites) {
  const [first] = sites;
  if (!first) return '';
  return `${first.file}:${first.line}${sites.length > 1 ? ` and ${sites.length - 1} more` : ''}`;
}

/** @param {Usage} sites */
function describeDevUse(sites) {
  const kinds = [];
  if (sites.tests.length > 0) kinds.push('tests');
  if (sites.types.length > 0) kinds.push('type-only imports');
  if (sites.config.length > 0) kinds.push('tool configuration');
  return kinds.join(' and ');
}
