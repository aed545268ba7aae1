/** Helpers of the output for people (format-*.ts). */

/** The parts that are strings, one a line. */
export function lines(...parts: (string | false | undefined)[]): string {
  return parts.filter((part): part is string => typeof part === 'string').join('\n');
}

/** An indented `label: value` line, values aligned. */
export function field(label: string, value: string): string {
  return `  ${`${label}:`.padEnd(16)} ${value}`;
}
