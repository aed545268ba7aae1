import type { RuntimeMount, RuntimeRlimit, RuntimeSpec } from './runtime-spec.js';
import { SpecError } from './spec-error.js';
import type { RuntimeSpecInput, SpecServiceConfig, UnitSettings } from './types.js';

/** CFS period used for every CPU quota (µs), as the AosEdge service managers. */
export const CPU_PERIOD = 100_000;
/** Smallest CFS quota written (µs): the kernel refuses less than 1000. */
export const MIN_CPU_QUOTA = 1_000;

function requirePositiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new SpecError(
      'invalid-quota',
      `reading service_config.json: quotas.${name} is ${value}; it must be a positive integer`,
    );
  }
  return value;
}

/**
 * CFS quota (µs per `CPU_PERIOD`) for the service's CPU quota, or undefined when it has none.
 * `cpuDmipsLimit` wins over the percent `cpuLimit` (the device reads DMIPS):
 * `quota = dmips × period × cpuCount / maxDmips` (reference §4.1), or for percent
 * `quota = period × cpuCount × percent / 100`; never less than `MIN_CPU_QUOTA`.
 */
export function computeCpuQuota(
  quotas: NonNullable<SpecServiceConfig['quotas']>,
  unit: UnitSettings,
): number | undefined {
  let quota: number;
  if (quotas.cpuDmipsLimit !== undefined) {
    const dmips = requirePositiveInteger('cpuDmipsLimit', quotas.cpuDmipsLimit);
    if (unit.maxDmips === undefined || unit.maxDmips <= 0) {
      throw new SpecError(
        'missing-unit-setting',
        'applying quotas.cpuDmipsLimit: the unit settings have no maxDmips; set maxDmips (DMIPS of the whole unit) in the agent configuration',
      );
    }
    quota = Math.floor((dmips * CPU_PERIOD * unit.cpuCount) / unit.maxDmips);
  } else if (quotas.cpuLimit !== undefined) {
    if (!Number.isFinite(quotas.cpuLimit) || quotas.cpuLimit <= 0 || quotas.cpuLimit > 100) {
      throw new SpecError(
        'invalid-quota',
        `reading service_config.json: quotas.cpuLimit is ${quotas.cpuLimit}; it is a percent of the unit's CPU, 1 to 100`,
      );
    }
    quota = Math.floor((CPU_PERIOD * unit.cpuCount * quotas.cpuLimit) / 100);
  } else {
    return undefined;
  }
  return Math.max(quota, MIN_CPU_QUOTA);
}

function withRlimit(rlimits: readonly RuntimeRlimit[], type: string, value: number): RuntimeRlimit[] {
  return [...rlimits.filter((rlimit) => rlimit.type !== type), { type, soft: value, hard: value }];
}

/**
 * Quotas → limits (reference §4.1 step 9): CPU → CFS quota/period; `ramLimit` → memory
 * limit with swap equal to it (memory+swap may not exceed it, so the service cannot swap
 * past its quota); `pidsLimit` → pids limit and RLIMIT_NPROC (per UID, and each instance
 * has its own UID); `noFileLimit` → RLIMIT_NOFILE; `tmpLimit` → a sized tmpfs on `/tmp`.
 * `skipResourceLimits` (pre-release services) → nothing applied.
 * `stateLimit`/`storageLimit` are file-system quotas of the caller, network ones belong to
 * the network manager.
 */
export function applyQuotas(spec: RuntimeSpec, { serviceConfig, unit }: RuntimeSpecInput): RuntimeSpec {
  const quotas = serviceConfig.quotas;
  if (serviceConfig.skipResourceLimits === true || quotas === undefined) return spec;
  let resources = spec.linux.resources;
  let rlimits = spec.process.rlimits;
  let mounts: RuntimeMount[] = spec.mounts;

  const cpuQuota = computeCpuQuota(quotas, unit);
  if (cpuQuota !== undefined) resources = { ...resources, cpu: { quota: cpuQuota, period: CPU_PERIOD } };
  if (quotas.ramLimit !== undefined) {
    const limit = requirePositiveInteger('ramLimit', quotas.ramLimit);
    // Without swap accounting (no memory.memsw.* files) runc fails on any swap value.
    resources = { ...resources, memory: unit.swapAccounting === false ? { limit } : { limit, swap: limit } };
  }
  if (quotas.pidsLimit !== undefined) {
    const limit = requirePositiveInteger('pidsLimit', quotas.pidsLimit);
    resources = { ...resources, pids: { limit } };
    rlimits = withRlimit(rlimits, 'RLIMIT_NPROC', limit);
  }
  if (quotas.noFileLimit !== undefined) {
    rlimits = withRlimit(rlimits, 'RLIMIT_NOFILE', requirePositiveInteger('noFileLimit', quotas.noFileLimit));
  }
  if (quotas.tmpLimit !== undefined) {
    const size = requirePositiveInteger('tmpLimit', quotas.tmpLimit);
    mounts = [
      ...mounts.filter((mount) => mount.destination !== '/tmp'),
      {
        destination: '/tmp',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=1777', `size=${size}`],
      },
    ];
  }
  return { ...spec, mounts, process: { ...spec.process, rlimits }, linux: { ...spec.linux, resources } };
}
