/**
 * How long monitoring data is kept (OPENAOS_MONITORING_RAW_HOURS, OPENAOS_MONITORING_ROLLUP_DAYS,
 * OPENAOS_MONITORING_HOURLY_DAYS; docs/monitoring.md).
 */
export interface MonitoringRetention {
  /** Raw samples, hours (default 24). */
  rawHours: number;
  /** Five-minute averages, days (default 30). */
  rollupDays: number;
  /** Hourly averages, days (default 365). */
  hourlyDays?: number | undefined;
}

export const DEFAULT_HOURLY_DAYS = 365;

export const DEFAULT_MONITORING_RETENTION: MonitoringRetention = {
  rawHours: 24,
  rollupDays: 30,
  hourlyDays: DEFAULT_HOURLY_DAYS,
};

/** The five-minute rollup bucket. */
export const ROLLUP_SECONDS = 300;
/** The hourly rollup bucket. */
export const HOURLY_SECONDS = 3600;
