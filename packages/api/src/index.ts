/**
 * @openaos/api — the cloud's domain logic (plain functions taking the database first) and the
 * tRPC routers over them, plus the two HTTP pieces tRPC does not carry: request
 * authentication (session cookie / AosCert token) and the streaming package upload.
 */
export { ApiError, isApiError, readRetryAfterSeconds, type ApiErrorCode } from './errors.js';
export type { Actor, Role } from './actor.js';
export { requireRole, describeRole } from './actor.js';
export type { CloudDependencies } from './dependencies.js';
export { DEFAULT_MAX_UPLOAD_BYTES } from './dependencies.js';
export { loadOrCreateAuthority, type CloudAuthority } from './authority.js';
export { createDiskBlobStorage, type BlobStorage } from './blob-storage.js';
export { createS3BlobStorage, type S3BlobStorageConfig } from './s3-blob-storage.js';
export { startCloudCore, type CloudCore, type StartCloudOptions } from './cloud-core.js';
export {
  createLocalUnitEvents,
  type UnitEvent,
  type UnitEventKind,
  type UnitEventListener,
  type UnitEvents,
} from './unit-events/unit-events.js';
export {
  createPostgresUnitEvents,
  UNIT_EVENTS_CHANNEL,
  type PostgresUnitEventsOptions,
} from './unit-events/postgres-unit-events.js';
export { createUnitGateway, type UnitGateway, type UnitGatewayOptions } from './gateway/unit-gateway.js';
export { createLiveEvents, type LiveEvents, type LiveEventsOptions } from './live/live-events.js';
export type { LiveChange } from './live/live-scope.js';
export type { AlertView, AlertPage } from './domain/alerts/list-alerts.js';
export { ALERT_KINDS, type AlertKind } from './domain/alerts/alert-kinds.js';
export type { InstanceStateView } from './domain/state/instance-state.js';
export { computeDesiredStatus, type DesiredStatusInputs } from './domain/desired-status/compute-desired-status.js';
export { issueDesiredStatus, type IssuedDesiredStatus } from './domain/desired-status/issue-desired-status.js';
export { sweepDeadProcesses, type SweepOptions, type SweepResult } from './cloud-maintenance.js';
export { DEFAULT_PROCESS_LEASE_SECONDS } from './domain/cloud-processes.js';
export { INTERRUPTED_BUILD_REASON, type FailedVersion } from './domain/interrupted-builds.js';

// Domain functions, grouped as `services.create(db, actor, input)` and so on.
export * as organisations from './domain/organisations.js';
export * as users from './domain/users.js';
export * as credentials from './domain/credentials.js';
export * as services from './domain/services.js';
export * as versions from './domain/versions.js';
export * as units from './domain/units.js';
export * as unitSets from './domain/unit-sets.js';
export * as subjects from './domain/subjects.js';
export { signIn, signOut, resolveSession, SESSION_COOKIE, SESSION_LIFETIME_MS } from './domain/sessions.js';
export { bootstrapAdmin, BOOTSTRAP_ADMIN_EMAIL } from './domain/bootstrap.js';
export {
  hashPassword,
  verifyPassword,
  generatePassword,
  DEFAULT_PASSWORD_HASH_COST,
  PASSWORD_HASH_COST_RANGE,
} from './domain/passwords.js';
export { SIGN_IN_THROTTLE, normalizeClientAddress } from './domain/sign-in-throttle.js';
export { uploadServiceVersion, type UploadInput, type UploadResult } from './domain/upload.js';
// The token itself (schema, creation, scheme, paths) is the shared contract in @openaos/protocol.
export { authenticateCertificateToken } from './domain/certificate-token.js';
export { compareSemver, isSemver } from './domain/semver.js';
export type { ServiceView, ServiceDetail } from './domain/services.js';
export type { ServiceVersionView, ServiceVersionState } from './domain/versions.js';
export type { UnitView } from './domain/units.js';
export {
  PROVISIONING_TOKEN_TTL,
  hashProvisioningToken,
  provisionCommand,
  type ProvisioningTokenResult,
} from './domain/provisioning/create-token.js';
export type { UnitStatusDetail, UnitStatusEventView } from './domain/unit-status/queries-unit.js';
export type { FleetOverview, ServiceStatusView } from './domain/unit-status/queries-fleet.js';
export type {
  Consumer,
  MonitoringOverview,
  MonitoringSeriesResult,
  SeriesLimits,
  SeriesPoint,
  SeriesView,
} from './domain/monitoring/index.js';
export {
  DEFAULT_MONITORING_RETENTION,
  instanceSeries,
  nodeSeries,
  planSeriesQuery,
  recordMonitoring,
  seriesPointsSql,
  type MonitoringRetention,
} from './domain/monitoring/index.js';
export type { UnitSetView } from './domain/unit-sets.js';
export type { RolloutView, RolloutDetail } from './domain/rollouts/query-rollouts.js';
export type { RolloutPlan, RolloutPlanInput } from './domain/rollouts/plan.js';
export { DEFAULT_ROLLOUT_PLAN, describeWaves } from './domain/rollouts/plan.js';
export type { RolloutUnitState, RolloutStatus } from './domain/rollouts/decide.js';
export { advanceRollouts } from './domain/rollouts/advance-rollout.js';
export { startRolloutRunner, type RolloutRunner } from './domain/rollouts/rollout-runner.js';
export type { SubjectView } from './domain/subjects.js';
export type { UserView } from './domain/users.js';
export type { OrganisationView } from './domain/organisations.js';
export type { IssuedUserCredential } from './domain/credentials.js';

// Transport.
export { appRouter, createCaller, type AppRouter } from './trpc/root.js';
export { createContext, createContextForActor, type Context, type CreateContextOptions } from './trpc/context.js';
export { TRPC_CODE_OF, HTTP_STATUS_OF } from './trpc/error-codes.js';
export {
  authenticateRequest,
  formatSessionCookie,
  readCookie,
  type RequestFacts,
} from './http/authenticate-request.js';
export { handleUploadRequest, isUploadRequest } from './http/upload-handler.js';
export { handleMetricsRequest, METRICS_PATH, type MetricsRouteOptions } from './metrics/metrics-route.js';
export { handleLogsRequest, isLogsRequest } from './domain/logs/index.js';
