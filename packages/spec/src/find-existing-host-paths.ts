import { access } from 'node:fs/promises';

/** The paths among `paths` that exist on the host, in order (for `existingHostPaths`). */
export async function findExistingHostPaths(paths: readonly string[]): Promise<string[]> {
  const checks = await Promise.all(
    paths.map(async (path) => {
      try {
        await access(path);
        return true;
      } catch {
        return false;
      }
    }),
  );
  return paths.filter((_, index) => checks[index] === true);
}
