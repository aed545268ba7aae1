import type { AlertRule } from '@openaos/config';
import { parseIsoDuration } from '@openaos/config/small-formats';
import type { AlertThresholds } from './step-alert.js';

/**
 * A percent rule (ram, cpu, partitions) in the units of the measured value:
 * `round(quota × percent / 100)` (Go `alertprocessor.go`).
 */
export function toPercentThresholds(rule: AlertRule, quota: number): AlertThresholds {
  return {
    minTimeoutMs: parseIsoDuration(rule.minTimeout),
    minThreshold: Math.round((quota * rule.minThreshold) / 100),
    maxThreshold: Math.round((quota * rule.maxThreshold) / 100),
  };
}

/** A points rule (download, upload): thresholds are already absolute. */
export function toPointThresholds(rule: AlertRule): AlertThresholds {
  return {
    minTimeoutMs: parseIsoDuration(rule.minTimeout),
    minThreshold: rule.minThreshold,
    maxThreshold: rule.maxThreshold,
  };
}

/**
 * The CPU quota of an instance in reported units (DMIPS when the unit's are known, else
 * percent of the unit): `cpuDmipsLimit`, or `cpuLimit` percent of the unit, or the unit.
 */
export function resolveCpuQuota(
  quotas: { cpuDmipsLimit?: number; cpuLimit?: number } | undefined,
  maxDmips: number | undefined,
): number {
  if (maxDmips === undefined) return quotas?.cpuLimit ?? 100;
  if (quotas?.cpuDmipsLimit !== undefined) return quotas.cpuDmipsLimit;
  if (quotas?.cpuLimit !== undefined) return (maxDmips * quotas.cpuLimit) / 100;
  return maxDmips;
}
