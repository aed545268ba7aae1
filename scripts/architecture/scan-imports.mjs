// Lists the modules a source file imports, with the TypeScript parser (a regular expression
// would also match `import` inside strings and comments). Only syntax is read: no type
// checking, no resolution, so a file costs about a millisecond.
import { readFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import ts from 'typescript';

/**
 * @typedef {object} ImportSite
 * @property {string} packageName the package the specifier names (`@openaos/protocol` for `@openaos/protocol/v7`)
 * @property {string} specifier the specifier as written
 * @property {boolean} isTypeOnly `import type` / `export type` / `typeof import()`: gone at run time
 * @property {number} line 1-based line of the import
 */

/**
 * The package a bare specifier names, or undefined for relative paths, Node built-ins,
 * `#` subpath imports and URLs.
 * @param {string} specifier
 * @returns {string | undefined}
 */
export function toPackageName(specifier) {
  if (/^[./#]/.test(specifier) || /^[a-z]+:/.test(specifier) || isBuiltin(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Every import of a package in the file: static and dynamic `import`, `export … from`,
 * `require()`, `import x = require()` and `import('x')` types. With `verbatimModuleSyntax`
 * (tooling/typescript/base.json) only `import type` / `export type` disappear at run time;
 * `import { type X }` stays as a side-effect import, so it counts as a run-time import.
 * @param {string} path
 * @returns {Promise<ImportSite[]>}
 */
export async function scanImports(path) {
  const text = await readFile(path, 'utf8');
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKindOf(path));
  /** @type {ImportSite[]} */
  const sites = [];
  const add = (/** @type {ts.Node} */ literal, /** @type {boolean} */ isTypeOnly) => {
    if (!ts.isStringLiteralLike(literal)) return;
    const packageName = toPackageName(literal.text);
    if (!packageName) return;
    const line = source.getLineAndCharacterOfPosition(literal.getStart(source)).line + 1;
    sites.push({ packageName, specifier: literal.text, isTypeOnly, line });
  };
  const visit = (/** @type {ts.Node} */ node) => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, node.importClause?.isTypeOnly ?? false);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier) add(node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      add(node.moduleReference.expression, node.isTypeOnly);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, true);
    else if (ts.isCallExpression(node) && isImportOrRequire(node) && node.arguments[0]) add(node.arguments[0], false);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sites;
}

/** @param {ts.CallExpression} call */
function isImportOrRequire(call) {
  return (
    call.expression.kind === ts.SyntaxKind.ImportKeyword ||
    (ts.isIdentifier(call.expression) && call.expression.text === 'require')
  );
}

/** @param {string} path */
function scriptKindOf(path) {
  if (path.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (/\.[cm]?ts$/.test(path)) return ts.ScriptKind.TS;
  if (path.endsWith('.jsx')) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}
