import { describe, expect, it } from 'vitest';
import { formatProblems } from './format-problems.js';

describe('formatProblems', () => {
  it('writes one line per problem, sorted by position', () => {
    const text = formatProblems([
      {
        file: 'meta/config.yaml',
        line: 12,
        column: 5,
        path: 'configuration.quotas.mem',
        message: 'must be at least 6MB for runc and crun (got 2kB = 2000 bytes)',
        expected: 'at least 6000000 bytes (6MB)',
        hint: 'raise it',
      },
      {
        file: 'meta/config.yaml',
        line: 3,
        column: 5,
        path: 'build.symlink',
        message: 'unknown key',
        severity: 'warning',
      },
      { file: 'meta/config.yaml', path: '', message: 'too big' },
    ]);
    expect(text.split('\n')).toEqual([
      'meta/config.yaml  (document)  too big',
      'meta/config.yaml:3:5  warning  build.symlink  unknown key',
      'meta/config.yaml:12:5  configuration.quotas.mem  must be at least 6MB for runc and crun (got 2kB = 2000 bytes)  expected: at least 6000000 bytes (6MB)  hint: raise it',
    ]);
  });

  it('is empty for no problems', () => {
    expect(formatProblems([])).toBe('');
  });
});
