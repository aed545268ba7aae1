import { addAdditionalGids } from './add-additional-gids.js';
import { mergeEnv } from './merge-env.js';
import type { RuntimeSpec } from './runtime-spec.js';
import { SpecError } from './spec-error.js';
import type { RuntimeSpecInput, UnitResource, UnitSettings } from './types.js';

function findResource(unit: UnitSettings, name: string): UnitResource {
  const resource = unit.resources?.find((candidate) => candidate.name === name);
  if (resource === undefined) {
    throw new SpecError(
      'unknown-resource',
      `resolving service resource "${name}": the unit offers no such resource; add it to the unit settings or remove it from the service config`,
    );
  }
  return resource;
}

/**
 * Service `resources` → the unit's resource definitions (reference §4.1 step 9): groups join
 * `additionalGids`, mounts are added, env merged. Their `hosts` lines are for the instance
 * `/etc/hosts`, which the caller writes (`collectHostEntries`).
 */
export function applyUnitResources(spec: RuntimeSpec, { serviceConfig, unit }: RuntimeSpecInput): RuntimeSpec {
  let next = spec;
  for (const name of serviceConfig.resources ?? []) {
    const resource = findResource(unit, name);
    next = addAdditionalGids(next, resource.groups ?? []);
    const mounts = (resource.mounts ?? []).map((mount) => ({
      destination: mount.destination,
      type: mount.type,
      source: mount.source,
      ...(mount.options === undefined ? {} : { options: [...mount.options] }),
    }));
    next = {
      ...next,
      mounts: [...next.mounts, ...mounts],
      process: { ...next.process, env: mergeEnv(next.process.env, resource.env ?? []) },
    };
  }
  return next;
}

/** `/etc/hosts` lines (`ip\thostname`) the service's resources ask for, in order. */
export function collectHostEntries(input: Pick<RuntimeSpecInput, 'serviceConfig' | 'unit'>): string[] {
  return (input.serviceConfig.resources ?? []).flatMap((name) =>
    (findResource(input.unit, name).hosts ?? []).map((host) => `${host.ip}\t${host.hostname}`),
  );
}
