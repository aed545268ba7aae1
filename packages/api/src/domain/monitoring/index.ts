/** Monitoring in the cloud (docs/monitoring.md): store what units report, keep it for a while, chart it. */
export { recordMonitoring, MAX_CLOCK_SKEW_MS, type RecordMonitoringResult } from './record-monitoring.js';
export { pruneMonitoring, type PruneResult } from './prune-monitoring.js';
export { DEFAULT_MONITORING_RETENTION, HOURLY_SECONDS, ROLLUP_SECONDS, type MonitoringRetention } from './retention.js';
export {
  monitoringSeries,
  planSeriesQuery,
  readSeriesPoints,
  seriesPointsSql,
  FIVE_MINUTE_SPAN_LIMIT_SECONDS,
  MAX_POINTS,
  RAW_SPAN_LIMIT_SECONDS,
  SPAN_LIMITS,
  type MonitoringSeriesInput,
  type MonitoringSeriesResult,
  type SeriesLimits,
  type SeriesPoint,
  type SeriesSource,
  type SeriesSourceLabel,
  type SeriesView,
} from './query-series.js';
export { monitoringOverview, CURRENT_SECONDS, type Consumer, type MonitoringOverview } from './monitoring-overview.js';
export { instanceSeries, nodeSeries } from './series-key.js';
export { maintainMonitoring, PRUNE_EVERY_MS } from './maintain-monitoring.js';
