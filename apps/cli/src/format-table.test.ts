import { describe, expect, it } from 'vitest';
import { formatTable } from './format-table.js';

describe('formatTable', () => {
  it('pads columns to the widest cell and says when there is nothing', () => {
    const text = formatTable(
      [
        { id: 'a', title: 'Hello' },
        { id: 'bbbb', title: null },
      ],
      [
        { header: 'ID', value: (row) => row.id },
        { header: 'TITLE', value: (row) => row.title },
      ],
    );
    expect(text).toBe('ID    TITLE\na     Hello\nbbbb');
    expect(formatTable([], [{ header: 'X', value: () => 1 }], 'no units')).toBe('no units');
  });
});
