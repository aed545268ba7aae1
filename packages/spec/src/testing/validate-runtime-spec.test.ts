import { describe, expect, it } from 'vitest';
import { defaultSpec } from '../default-spec.js';
import { listSchemaProblems } from './validate-runtime-spec.js';

describe('listSchemaProblems', () => {
  it('accepts the default spec', () => {
    expect(listSchemaProblems(defaultSpec())).toEqual([]);
  });

  it('reports what the schema refuses, so the other tests can trust an empty list', () => {
    const spec = defaultSpec();
    const broken = { ...spec, process: { ...spec.process, user: { uid: -1, gid: 0 } }, mounts: [{ type: 'bind' }] };
    const problems = listSchemaProblems(broken);
    expect(problems.some((problem) => problem.startsWith('/process/user/uid'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('/mounts/0'))).toBe(true);
  });
});
