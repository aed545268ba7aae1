import type { ConfigProblem } from './config-error.js';

/**
 * Format problems for people, one per line, sorted by position:
 * `meta/config.yaml:12:5  configuration.quotas.mem  must be at least 6MB for runc (got …)  expected: …  hint: …`
 */
export function formatProblems(problems: ConfigProblem[]): string {
  return [...problems].sort(compareProblems).map(formatProblem).join('\n');
}

function formatProblem(problem: ConfigProblem): string {
  const position = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.column ?? 1}`;
  const parts = [position];
  if (problem.severity === 'warning') parts.push('warning');
  parts.push(problem.path === '' ? '(document)' : problem.path, problem.message);
  if (problem.expected !== undefined) parts.push(`expected: ${problem.expected}`);
  if (problem.hint !== undefined) parts.push(`hint: ${problem.hint}`);
  return parts.join('  ');
}

function compareProblems(a: ConfigProblem, b: ConfigProblem): number {
  return (
    a.file.localeCompare(b.file) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.column ?? 0) - (b.column ?? 0) ||
    a.path.localeCompare(b.path)
  );
}
