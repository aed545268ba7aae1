export { openDatabase, migrationsFolder, redactUrl } from './client.js';
export type { Database, DatabaseDriver, DatabaseHandle, OpenDatabaseOptions, Schema } from './client.js';
export { DbError } from './errors.js';
export type { DbErrorCode } from './errors.js';
export * as schema from './schema.js';
export type { ConfigSummary, DefaultQuotas, PartitionUsage, ReportedError, StoredRolloutPlan } from './schema.js';
export { createThrowawayDatabase, DEFAULT_TEST_DATABASE_URL, seedPgliteDataDir } from './throwaway-database.js';
export type { ThrowawayDatabase } from './throwaway-database.js';
