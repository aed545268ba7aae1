'use client';
import type { ReactNode } from 'react';

/**
 * A console table: one header cell per entry of `headers` (an empty string leaves the cell
 * blank, as for an actions column) and the rows as children.
 */
export function DataTable({ headers, testId, children }: { headers: string[]; testId?: string; children: ReactNode }) {
  return (
    <table data-testid={testId}>
      <thead>
        <tr>
          {headers.map((header, index) => (
            <th key={index}>{header || null}</th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
