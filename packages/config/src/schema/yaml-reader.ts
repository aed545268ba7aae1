import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { ConfigProblem } from '../config-error.js';
import { suggestName } from '../did-you-mean.js';

/** A value in the document with the key it sits under, for positions and messages. */
export interface Field {
  /** Dotted path, e.g. "configuration.quotas.mem"; list items as "configuration.env[2]". */
  path: string;
  /** The value node; undefined when the key is absent. */
  value: Node | null | undefined;
  /** The key node (where to point when the value is missing or empty). */
  key?: Node | null;
}

export interface ProblemDetails {
  expected?: string;
  hint?: string;
  severity?: 'error' | 'warning';
}

/**
 * Collects problems for one document and reads its nodes. Every read reports what it
 * finds wrong and returns undefined instead of throwing, so one pass reports everything.
 */
export class YamlReader {
  readonly problems: ConfigProblem[] = [];

  constructor(
    readonly file: string,
    private readonly document: Document.Parsed,
    private readonly lineCounter: LineCounter,
  ) {}

  /** Record a problem at the field's value (or its key when the value is empty). */
  report(field: Field, message: string, details: ProblemDetails = {}): void {
    const node = isEmpty(field.value) ? (field.key ?? undefined) : field.value;
    const problem: ConfigProblem = { file: this.file, path: field.path, message };
    const offset = node?.range?.[0];
    if (offset !== undefined) {
      const { line, col } = this.lineCounter.linePos(offset);
      problem.line = line;
      problem.column = col;
    }
    if (details.expected !== undefined) problem.expected = details.expected;
    if (details.hint !== undefined) problem.hint = details.hint;
    if (details.severity !== undefined) problem.severity = details.severity;
    this.problems.push(problem);
  }

  /** The node an alias points at; the node itself otherwise. */
  resolve(node: Node | null | undefined): Node | null | undefined {
    return isAlias(node) ? (node.resolve(this.document) ?? null) : node;
  }

  /** True when the field is absent or written with an empty value (`key:`) or `null`. */
  isAbsent(field: Field): boolean {
    return isEmpty(this.resolve(field.value));
  }

  /** The plain JS value of a scalar field, or undefined for collections/absent. */
  scalarValue(field: Field): unknown {
    const node = this.resolve(field.value);
    return isScalar(node) ? node.value : undefined;
  }

  /**
   * Read a mapping's entries by key. Unknown keys are warnings with a "did you mean";
   * duplicate keys are errors (PyYAML would silently keep the last one). YAML 1.1 merge
   * keys (`<<: *base`) are honoured as PyYAML does: explicit keys win over merged ones.
   */
  readMap(field: Field, knownKeys: readonly string[]): Map<string, Field> | undefined {
    const node = this.resolve(field.value);
    if (isEmpty(node)) return undefined;
    if (!isMap(node)) {
      this.report(field, `must be a mapping of keys to values (got ${describeNode(node)})`, {
        expected: knownKeys.length > 0 ? `keys among: ${knownKeys.join(', ')}` : 'a mapping',
      });
      return undefined;
    }
    const entries = new Map<string, Field>();
    const merged: Node[] = [];
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const resolvedKey = this.resolve(keyNode);
      if (isScalar(resolvedKey) && typeof resolvedKey.value === 'symbol') {
        merged.push(...this.mergeSources(pair.value as Node | null));
        continue;
      }
      const name = isScalar(resolvedKey) ? String(resolvedKey.value) : '';
      const entry: Field = { path: childPath(field.path, name), value: pair.value as Node | null, key: keyNode };
      if (!isScalar(resolvedKey)) {
        this.report({ ...entry, path: field.path, value: keyNode }, 'keys must be plain names', {
          expected: 'a name such as quotas or mem',
        });
        continue;
      }
      if (entries.has(name)) {
        this.report({ ...entry, value: keyNode }, `"${name}" is given twice`, {
          hint: 'keep one of them; the last one would silently win in aos-signer',
        });
        continue;
      }
      entries.set(name, entry);
      if (knownKeys.length > 0 && !knownKeys.includes(name)) this.reportUnknownKey(entry, name, knownKeys);
    }
    for (const source of merged) {
      for (const pair of isMap(source) ? source.items : []) {
        const keyNode = this.resolve(pair.key as Node | null);
        const name = isScalar(keyNode) ? String(keyNode.value) : '';
        if (name === '' || entries.has(name)) continue;
        const entry: Field = { path: childPath(field.path, name), value: pair.value as Node | null, key: keyNode };
        entries.set(name, entry);
        if (knownKeys.length > 0 && !knownKeys.includes(name)) this.reportUnknownKey(entry, name, knownKeys);
      }
    }
    return entries;
  }

  /** The mappings a merge key (`<<`) brings in: one alias, or a list of them. */
  private mergeSources(value: Node | null): Node[] {
    const resolved = this.resolve(value);
    const sources = isSeq(resolved) ? resolved.items.map((item) => this.resolve(item as Node | null)) : [resolved];
    return sources.filter((source): source is Node => isMap(source));
  }

  /** Items of a list field with their paths; undefined (after reporting) when not a list. */
  readList(field: Field, expected: string): Field[] | undefined {
    const node = this.resolve(field.value);
    if (isEmpty(node)) return undefined;
    if (!isSeq(node)) {
      this.report(field, `must be a list (got ${describeNode(node)})`, { expected });
      return undefined;
    }
    // An empty item (`- `) is a null scalar that still has a position; point there.
    return node.items.map((item, index) => ({
      path: `${field.path}[${index}]`,
      value: item as Node | null,
      key: (item as Node | null) ?? node,
    }));
  }

  private reportUnknownKey(entry: Field, name: string, knownKeys: readonly string[]): void {
    const suggestion = suggestName(name, knownKeys);
    this.report({ ...entry, value: entry.key }, `unknown key "${name}" is ignored`, {
      severity: 'warning',
      expected: `one of: ${knownKeys.join(', ')}`,
      hint: suggestion === undefined ? 'remove it, or check the spelling' : `did you mean "${suggestion}"?`,
    });
  }
}

/** An empty value: no node, a null node, or a `null`/`~`/empty scalar. */
export function isEmpty(node: Node | null | undefined): node is null | undefined {
  return node === undefined || node === null || (isScalar(node) && node.value === null);
}

/** Short description of a node for "got …" in messages. */
export function describeNode(node: Node | null | undefined): string {
  if (isEmpty(node)) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const value = node.value;
    if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
    if (typeof value === 'number' || typeof value === 'bigint') return `the number ${node.source ?? String(value)}`;
    if (typeof value === 'boolean') return `the boolean ${String(value)}`;
    return `${typeof value} ${String(value)}`;
  }
  return 'an alias';
}

/** The field for `key` in a mapping; absent keys get a field pointing at the mapping's key. */
export function entry(entries: Map<string, Field>, parent: Field, key: string): Field {
  return entries.get(key) ?? { path: childPath(parent.path, key), value: undefined, key: parent.key ?? null };
}

function childPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}
