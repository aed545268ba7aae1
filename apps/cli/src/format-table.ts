/** A plain text table for list commands: a header row, then one row per item; columns padded. */
export function formatTable<T>(
  rows: T[],
  columns: { header: string; value: (row: T) => string | number | boolean | null | undefined }[],
  empty = '(none)',
): string {
  if (rows.length === 0) return empty;
  const cells = [
    columns.map((column) => column.header),
    ...rows.map((row) => columns.map((column) => String(column.value(row) ?? ''))),
  ];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => line[index]?.length ?? 0)));
  return cells
    .map((line) =>
      line
        .map((cell, index) => (index === line.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
