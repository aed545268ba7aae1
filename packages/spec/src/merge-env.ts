/** Name of a `NAME=value` entry (the whole entry when it has no `=`). */
export function readEnvName(entry: string): string {
  const index = entry.indexOf('=');
  return index === -1 ? entry : entry.slice(0, index);
}

/**
 * Merge `additions` into `env`, replacing entries of the same name in place and appending
 * new ones, so the order stays stable. Returns a new array.
 */
export function mergeEnv(env: readonly string[], additions: readonly string[]): string[] {
  const merged = [...env];
  for (const entry of additions) {
    const name = readEnvName(entry);
    const index = merged.findIndex((existing) => readEnvName(existing) === name);
    if (index === -1) merged.push(entry);
    else merged[index] = entry;
  }
  return merged;
}
