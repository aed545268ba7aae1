import { ApiError } from '../errors.js';

export function toIso(date: Date): string;
export function toIso(date: Date | null | undefined): string | null;
export function toIso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

/**
 * The one row an `insert … returning()` or a keyed update gave back. An empty result means the
 * database broke its promise (or the row went away meanwhile): an internal error naming the work.
 */
export function onlyRow<T>(rows: readonly T[], doing: string): T {
  const [row] = rows;
  if (row === undefined) throw new ApiError('internal', `${doing}: the database returned no row`);
  return row;
}

/** PostgreSQL unique_violation (23505) / foreign_key_violation (23503), from pg or PGlite, possibly wrapped by drizzle. */
export function databaseErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Run an insert/update and turn a unique violation into `already-exists` with the given message. */
export async function withUniqueCheck<T>(work: () => Promise<T>, message: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (databaseErrorCode(error) === '23505') throw new ApiError('already-exists', message, { cause: error });
    throw error;
  }
}

export function notFound(what: string, id: string): ApiError {
  return new ApiError(
    'not-found',
    `${what} ${id} was not found, or you have no access to it; list them to see the ones you can use`,
  );
}

/**
 * Write-behind batches: `together` handles all `items` at once; when it fails (one item's unit
 * deleted meanwhile, say), each item is handled on its own, so only the faulty ones fail: their
 * entry is the Error. Results in the items' order.
 */
export async function eachAloneOnFailure<T, R>(
  items: readonly T[],
  together: (items: readonly T[]) => Promise<R[]>,
): Promise<(R | Error)[]> {
  const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));
  try {
    return await together(items);
  } catch (error) {
    if (items.length === 1) return [asError(error)];
    const results: (R | Error)[] = [];
    for (const item of items) {
      const [result] = await together([item]).catch((single: unknown) => [asError(single)]);
      results.push(result ?? new Error('a batch of one returned no result'));
    }
    return results;
  }
}

/**
 * `rows` cut into slices of at most `size`, in order: multi-row statements are written per slice
 * (PostgreSQL binds at most 65,535 parameters a statement).
 */
export function inSlices<T>(rows: readonly T[], size: number): T[][] {
  const slices: T[][] = [];
  for (let start = 0; start < rows.length; start += size) slices.push(rows.slice(start, start + size));
  return slices;
}
