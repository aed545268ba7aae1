import type { z } from 'zod';

/** Each zod issue as "path: problem" (path `(root)` for the object itself), with `prefix` before the path. */
export function describeIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.');
    return `${path === '' ? '(root)' : path}: ${issue.message}`;
  });
}
