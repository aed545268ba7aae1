export {
  createMonitor,
  type Monitor,
  type MonitorOptions,
  type MonitoredInstance,
  type UnitAlertRules,
  type QuotaAlert,
  type InstanceReading,
} from './monitor.js';
export {
  stepAlert,
  createAlertState,
  type AlertState,
  type AlertThresholds,
  type AlertEvent,
  type AlertTransition,
} from './step-alert.js';
export { toPercentThresholds, toPointThresholds, resolveCpuQuota } from './resolve-alert-rules.js';
export { readInstanceUsage, detectCgroupLayout, type InstanceUsage } from './read-instance-usage.js';
export { parseCgroupMounts, type CgroupLayout } from './parse-cgroup-mounts.js';
export { readUnitUsage, type UnitUsage } from './read-unit-usage.js';
export { measureDirectory, type DirectorySize } from './measure-directory.js';
export { computeInstanceCpuPercent, computeUnitCpuPercent, toReportedCpu } from './compute-cpu-load.js';
export { parseProcStat, parseMeminfo, parseKeyedValues, type CpuTimes } from './parse-kernel-stats.js';
export { MovingAverage } from './moving-average.js';
