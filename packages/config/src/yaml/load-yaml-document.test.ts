import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config-error.js';
import { parseServiceConfig } from '../parse-service-config.js';
import { loadYamlDocument } from './load-yaml-document.js';

/**
 * Run `action`, expect a ConfigError, and return it with the CPU time this process spent on it.
 * CPU time, not wall-clock time: the bound is about the work a hostile document costs, which a
 * busy machine (other processes on the same cores) does not change.
 */
function refusal(action: () => unknown): { error: ConfigError; milliseconds: number } {
  const start = process.cpuUsage();
  try {
    action();
  } catch (error) {
    const used = process.cpuUsage(start);
    const milliseconds = (used.user + used.system) / 1000;
    expect(error).toBeInstanceOf(ConfigError);
    return { error: error as ConfigError, milliseconds };
  }
  throw new Error('expected a ConfigError');
}

function billionLaughs(): string {
  let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let level = 1; level < 10; level += 1) {
    const name = String.fromCharCode(97 + level);
    const previous = String.fromCharCode(96 + level);
    text += `${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]\n`;
  }
  return text;
}

describe('loadYamlDocument refuses hostile YAML quickly', () => {
  it('refuses a billion-laughs alias bomb in well under a second', () => {
    const { error, milliseconds } = refusal(() => parseServiceConfig(billionLaughs(), { file: 'meta/config.yaml' }));
    expect(error.code).toBe('unsafe-yaml');
    expect(error.problems[0]?.message).toMatch(/aliases expand too much/);
    expect(error.problems[0]?.hint).toMatch(/anchors/);
    expect(milliseconds).toBeLessThan(250);
  });

  it('refuses a 10 MB document by its size before parsing', () => {
    const text = `build:\n  os: "${'x'.repeat(10 * 1024 * 1024)}"\n`;
    const { error, milliseconds } = refusal(() => parseServiceConfig(text, { file: 'meta/config.yaml' }));
    expect(error.code).toBe('unsafe-yaml');
    expect(error.message).toMatch(/10485[0-9]+ bytes, more than the 1048576 bytes accepted/);
    expect(milliseconds).toBeLessThan(250);
  });

  it.each([
    ['10k-deep flow nesting', `a: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`],
    ['500k-deep flow nesting (would abort Node inside the composer)', `${'['.repeat(500_000)}${']'.repeat(500_000)}`],
    ['10k-deep compact sequences', `${'- '.repeat(10_000)}x\n`],
    ['1k-deep block mappings', Array.from({ length: 1000 }, (_, depth) => `${' '.repeat(depth)}k${depth}:`).join('\n')],
  ])('refuses %s by depth', (_name, text) => {
    const { error, milliseconds } = refusal(() => loadYamlDocument(text, 'meta/config.yaml'));
    expect(error.code).toBe('unsafe-yaml');
    expect(error.problems[0]?.message).toMatch(/nests deeper than 64 levels/);
    expect(error.problems[0]?.line).toBeGreaterThanOrEqual(1);
    expect(milliseconds).toBeLessThan(500);
  });

  it('refuses a flood of nodes that would take seconds to compose', () => {
    const text = '- 1\n'.repeat(200_000);
    const { error, milliseconds } = refusal(() => loadYamlDocument(text, 'meta/config.yaml'));
    expect(error.code).toBe('unsafe-yaml');
    expect(error.problems[0]?.message).toMatch(/more than 20000 tokens/);
    expect(milliseconds).toBeLessThan(500);
  });

  it.each([
    ['block', Array.from({ length: 40 }, (_, depth) => `${'  '.repeat(depth)}k${depth}:`).join('\n') + ' end\n'],
    ['flow', `a: ${'['.repeat(40)}1${']'.repeat(40)}\n`],
    ['block scalars', 'a:\n  b: |\n    text\n      more\n  c:\n    d: >\n      folded\n    e: [1, {f: g}]\n'],
  ])('accepts legitimate %s nesting below the limit', (_name, text) => {
    expect(() => loadYamlDocument(text, 'meta/config.yaml')).not.toThrow();
  });

  it('accepts ordinary anchors, aliases and nesting', () => {
    const text = 'base: &base\n  a: [1, {b: [2, 3]}]\ncopy: *base\nlist:\n  - - x\n    - y\n';
    const { document } = loadYamlDocument(text, 'meta/config.yaml');
    expect(document.toJS()).toEqual({
      base: { a: [1, { b: [2, 3] }] },
      copy: { a: [1, { b: [2, 3] }] },
      list: [['x', 'y']],
    });
  });

  it('reports YAML syntax errors with positions', () => {
    const { error } = refusal(() => loadYamlDocument('build:\n  os: linux\n  arch: [x86\n', 'meta/config.yaml'));
    expect(error.code).toBe('invalid-yaml');
    expect(error.problems[0]).toMatchObject({ file: 'meta/config.yaml', line: 4, column: 1 });
    expect(error.problems[0]?.message).toMatch(/Flow sequence.*end with a \]/);
  });

  it('reads booleans as aos-signer (PyYAML, YAML 1.1) does', () => {
    const { document } = loadYamlDocument('a: True\nb: False\nc: yes\nd: off\ne: y\nf: n\n', 'x.yaml');
    expect(document.toJS()).toEqual({ a: true, b: false, c: true, d: false, e: 'y', f: 'n' });
  });
});
