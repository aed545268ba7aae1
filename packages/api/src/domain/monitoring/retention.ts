/** How long monitoring data is kept (OPENAOS_MONITORING_RAW_HOURS, OPENAOS_MONITORING_ROLLUP_DAYS; docs/monitoring.md). */
export interface MonitoringRetention {
  /** Raw samples, hours (default 24). */
  rawHours: number;
  /** Five-minute averages, days (default 30). */
  rollupDays: number;
}

export const DEFAULT_MONITORING_RETENTION: MonitoringRetention = { rawHours: 24, rollupDays: 30 };

/** The rollup bucket: five minutes. */
export const ROLLUP_SECONDS = 300;
