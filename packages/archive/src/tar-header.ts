/** Default mtime of packed entries: fixed so the same tree gives the same bytes. */
export const DEFAULT_MTIME = new Date('2000-01-01T00:00:00Z');
