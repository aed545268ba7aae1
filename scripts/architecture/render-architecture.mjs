// Writes the package graph into ARCHITECTURE.md: the diagram (a mermaid graph between
// `<!-- architecture:graph -->` markers) and the "depends on" column of the package table
// and "dev only" columns of the package table (between `<!-- architecture:table -->` markers).
// The "owns" column stays hand-written.

/**
 * @typedef {import('./check-dependencies.mjs').Edges} Edges
 * @typedef {import('./read-workspace.mjs').WorkspacePackage} WorkspacePackage
 */

/** Packages that ARCHITECTURE.md draws: the libraries and the apps (not bench/ or tooling/). */
const DRAWN_DIR = /^(?:packages|apps)\//;
/** The "owns" text --write puts in a new row; the check refuses it until someone describes the package. */
export const OWNS_PLACEHOLDER = '(describe what it owns)';

/**
 * ARCHITECTURE.md with its generated parts made to match the graph, and the differences found.
 * @param {string} text the current ARCHITECTURE.md
 * @param {WorkspacePackage[]} packages
 * @param {Map<string, Edges>} graph
 * @returns {{ text: string, differences: string[] }}
 */
export function renderArchitecture(text, packages, graph) {
  const drawn = packages.filter((pkg) => DRAWN_DIR.test(pkg.relativeDir));
  const dirOf = new Map(packages.map((pkg) => [pkg.name, pkg.relativeDir]));
  const differences = [];

  const graphBlock = findBlock(text, 'graph');
  const newGraph = renderGraph(drawn, graph, dirOf);
  if (graphBlock.body !== newGraph) differences.push(...describeGraphChange(graphBlock.body, newGraph));
  let result = replaceBlock(text, graphBlock, newGraph);

  const tableBlock = findBlock(result, 'table');
  const table = renderTable(tableBlock.body, drawn, graph, dirOf);
  differences.push(...table.differences);
  result = replaceBlock(result, tableBlock, table.body);
  return { text: result, differences };
}

/**
 * @param {string} text
 * @param {string} name
 */
function findBlock(text, name) {
  const start = `<!-- architecture:${name} -->\n`;
  const end = `<!-- /architecture:${name} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from < 0 || to < 0)
    throw new Error(
      `ARCHITECTURE.md has no "${start.trim()}" … "${end}" block: put the markers back around the ${name === 'graph' ? 'package diagram' : 'package table'}`,
    );
  return { from: from + start.length, to, body: text.slice(from + start.length, to) };
}

/**
 * @param {string} text
 * @param {{ from: number, to: number }} block
 * @param {string} body
 */
function replaceBlock(text, block, body) {
  return text.slice(0, block.from) + body + text.slice(block.to);
}

/**
 * A mermaid graph: solid arrows for `dependencies`, dotted ones for type-only devDependencies.
 * @param {WorkspacePackage[]} drawn
 * @param {Map<string, Edges>} graph
 * @param {Map<string, string>} dirOf
 */
function renderGraph(drawn, graph, dirOf) {
  const id = (/** @type {string} */ dir) => dir.replace(/[^A-Za-z0-9]/g, '_');
  const lines = ['```mermaid', 'graph TD'];
  for (const pkg of drawn) lines.push(`  ${id(pkg.relativeDir)}["${pkg.relativeDir}"]`);
  for (const pkg of drawn) {
    const edges = graph.get(pkg.name) ?? { runtime: [], types: [], tests: [] };
    for (const name of edges.runtime) lines.push(`  ${id(pkg.relativeDir)} --> ${id(dirOf.get(name) ?? name)}`);
    for (const name of edges.types) lines.push(`  ${id(pkg.relativeDir)} -. types .-> ${id(dirOf.get(name) ?? name)}`);
  }
  lines.push('```', '');
  return lines.join('\n');
}

/**
 * Which arrows the new diagram adds and drops, for a message that says what changed.
 * @param {string} before
 * @param {string} after
 */
function describeGraphChange(before, after) {
  const arrows = (/** @type {string} */ body) => {
    const dirs = new Map([...body.matchAll(/^\s*(\w+)\["([^"]+)"\]$/gm)].map((match) => [match[1], match[2]]));
    const found = [...body.matchAll(/^\s*(\w+) (-->|-\. types \.->) (\w+)$/gm)].map(
      ([, from = '', arrow, to = '']) =>
        `${dirs.get(from) ?? from} → ${arrow === '-->' ? '' : '(types) '}${dirs.get(to) ?? to}`,
    );
    return new Set(found);
  };
  const old = arrows(before);
  const now = arrows(after);
  const parts = [
    ...[...now].filter((arrow) => !old.has(arrow)).map((arrow) => `missing arrow ${arrow}`),
    ...[...old].filter((arrow) => !now.has(arrow)).map((arrow) => `arrow ${arrow} that the code no longer has`),
  ];
  return [`ARCHITECTURE.md's package diagram differs from the imports${parts.length ? `: ${parts.join('; ')}` : ''}`];
}

/**
 * The table with its "depends on" column recomputed, a row per drawn package.
 * @param {string} body
 * @param {WorkspacePackage[]} drawn
 * @param {Map<string, Edges>} graph
 * @param {Map<string, string>} dirOf
 */
function renderTable(body, drawn, graph, dirOf) {
  const lines = body.split('\n').filter((line) => line.trim() !== '');
  const [, , ...rows] = lines;
  const header = '| package | owns | depends on | dev only (tests, types) |';
  const separator = '| --- | --- | --- | --- |';
  const differences = [];
  /** @type {Map<string, string>} */
  const owns = new Map();
  /** @type {Map<string, string>} */
  const written = new Map();
  for (const row of rows) {
    const cells = splitRow(row);
    const dir = (cells[0] ?? '').replaceAll('`', '');
    owns.set(dir, cells[1] ?? '');
    written.set(dir, `${cells[2] ?? ''} | ${cells[3] ?? ''}`);
  }
  const drawnDirs = new Set(drawn.map((pkg) => pkg.relativeDir));
  for (const dir of owns.keys())
    if (!drawnDirs.has(dir))
      differences.push(`ARCHITECTURE.md's package table has a row for ${dir}, which is not a workspace package`);
  // Keep the table's order; new packages go last.
  const order = [
    ...[...owns.keys()].filter((dir) => drawnDirs.has(dir)),
    ...[...drawnDirs].filter((dir) => !owns.has(dir)),
  ];
  const byDir = new Map(drawn.map((pkg) => [pkg.relativeDir, pkg]));
  const newRows = order.map((dir) => {
    const pkg = byDir.get(dir);
    const dependsOn = describeDependencies(graph.get(pkg?.name ?? '') ?? { runtime: [], types: [], tests: [] }, dirOf);
    if (!owns.has(dir)) differences.push(`ARCHITECTURE.md's package table has no row for ${dir}`);
    else if (owns.get(dir) === OWNS_PLACEHOLDER)
      differences.push(`ARCHITECTURE.md's package table does not say what ${dir} owns: replace "${OWNS_PLACEHOLDER}"`);
    else if (written.get(dir) !== dependsOn)
      differences.push(
        `ARCHITECTURE.md's package table says ${dir} depends on "${written.get(dir)}" (run time | dev only); its imports say "${dependsOn}"`,
      );
    return `| \`${dir}\` | ${owns.get(dir) ?? OWNS_PLACEHOLDER} | ${dependsOn} |`;
  });
  return { body: [header, separator, ...newRows, ''].join('\n'), differences };
}

/**
 * The two dependency cells: `config, pki | api (types), image` — short names (the folder), `—` for none.
 * @param {Edges} edges
 * @param {Map<string, string>} dirOf
 */
function describeDependencies(edges, dirOf) {
  const short = (/** @type {string} */ name) => (dirOf.get(name) ?? name).split('/').pop();
  const runtime = edges.runtime.map(short).join(', ') || '—';
  const dev = [...edges.types.map((name) => `${short(name)} (types)`), ...edges.tests.map(short)].join(', ') || '—';
  return `${runtime} | ${dev}`;
}

/**
 * The cells of a markdown table row (an escaped `\|` stays inside its cell).
 * @param {string} row
 */
function splitRow(row) {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}
