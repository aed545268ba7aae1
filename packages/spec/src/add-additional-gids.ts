import type { RuntimeSpec } from './runtime-spec.js';

/** `process.user.additionalGids` with `gids` added once each, in order. */
export function addAdditionalGids(spec: RuntimeSpec, gids: readonly number[]): RuntimeSpec {
  if (gids.length === 0) return spec;
  const current = spec.process.user.additionalGids ?? [];
  const merged = [...current, ...gids.filter((gid, index) => !current.includes(gid) && gids.indexOf(gid) === index)];
  return { ...spec, process: { ...spec.process, user: { ...spec.process.user, additionalGids: merged } } };
}
