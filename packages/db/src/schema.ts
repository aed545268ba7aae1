/**
 * The cloud's relational model (reference §1): organisations (OEM or SP), users with roles,
 * console sessions, user credentials (certificates issued by the cloud's CA), services and
 * their versions, units, unit sets and subjects binding services to units and unit sets.
 *
 * Invariant kept by the schema: a row that something else depends on cannot vanish under it —
 * foreign keys that express "this blocks a delete" use `restrict`; pure membership rows
 * (unit ∈ unit set, bindings of a subject) use `cascade` from the side that owns them.
 */
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

export const organisationKind = pgEnum('organisation_kind', ['oem', 'sp']);
export const userRole = pgEnum('user_role', ['admin', 'oem', 'sp']);
export const serviceVersionState = pgEnum('service_version_state', ['processing', 'ready', 'failed', 'approved']);
export const unitState = pgEnum('unit_state', ['new', 'provisioned']);
export const unitConnection = pgEnum('unit_connection', ['online', 'offline']);
export const subjectType = pgEnum('subject_type', ['group', 'user']);

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const organisations = pgTable('organisations', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  kind: organisationKind('kind').notNull(),
  createdAt: createdAt(),
});

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Login name; stored lower-case. */
    email: text('email').notNull().unique(),
    name: text('name').notNull(),
    role: userRole('role').notNull(),
    /** Null only for admins, who belong to the installation rather than to an organisation. */
    organisationId: uuid('organisation_id').references(() => organisations.id, { onDelete: 'restrict' }),
    /** `scrypt$N$r$p$salt$hash` (base64 parts). */
    passwordHash: text('password_hash').notNull(),
    isActive: boolean('is_active').notNull().default(true),
    createdAt: createdAt(),
  },
  (table) => [index('users_organisation_idx').on(table.organisationId)],
);

export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 (hex) of the random token in the cookie: a leaked table does not leak sessions. */
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('sessions_user_idx').on(table.userId)],
);

/** Certificates the cloud's CA issued to users; the private key is never stored. */
export const userCredentials = pgTable(
  'user_credentials',
  {
    /** SHA-256 fingerprint of the DER certificate, upper-case hex with colons (X509Certificate.fingerprint256). */
    fingerprint256: text('fingerprint256').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    serialNumber: text('serial_number').notNull(),
    certificatePem: text('certificate_pem').notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [index('user_credentials_user_idx').on(table.userId)],
);

/** Nonces of CLI request tokens seen while they are fresh: a replayed token is refused. */
export const authNonces = pgTable('auth_nonces', {
  nonce: text('nonce').primaryKey(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/**
 * The cloud processes working on this database, each renewing its heartbeat (database clock).
 * A process whose heartbeat is older than the lease is dead: the versions it was building are
 * failed and its temp directory removed by whichever process notices first.
 */
export const cloudProcesses = pgTable('cloud_processes', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** For people reading the table: where the process ran. */
  hostname: text('hostname').notNull(),
  pid: integer('pid').notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Failed sign-in attempts per key (`account:<email>` or `address:<client address>`), so that
 * every cloud process over this database throttles alike. Rows idle longer than the throttle's
 * window are deleted.
 */
export const signInThrottles = pgTable(
  'sign_in_throttles',
  {
    key: text('key').primaryKey(),
    /** Attempts counted in the current window (an attempt counts before its password is checked). */
    attempts: integer('attempts').notNull(),
    /** No attempt with this key is checked before this time. */
    blockedUntil: timestamp('blocked_until', { withTimezone: true }).notNull(),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('sign_in_throttles_last_attempt_idx').on(table.lastAttemptAt)],
);

export interface DefaultQuotas {
  cpuLimit?: number;
  cpuDmipsLimit?: number;
  memoryLimit?: number;
  storageDiskLimit?: number;
  stateDiskLimit?: number;
}

export const services = pgTable(
  'services',
  {
    /** The Service ID (UUID) that goes into `publish.service_uid`. */
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'restrict' }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    defaultQuotas: jsonb('default_quotas').$type<DefaultQuotas>().notNull().default({}),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (table) => [index('services_organisation_idx').on(table.organisationId)],
);

/** What the console shows of a version's config without reopening the package. */
export interface ConfigSummary {
  runners?: string[];
  architecture?: string;
  cmd?: string[];
  quotas?: Record<string, number>;
  hasDefaultState?: boolean;
  files?: number;
  /** `configuration.instances` of the config: what the desired status asks units to run (absent before the unit channel). */
  instances?: { minInstances?: number; priority?: number; labels?: string[] };
}

export const serviceVersions = pgTable(
  'service_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    version: text('version').notNull(),
    state: serviceVersionState('state').notNull().default('processing'),
    failureReason: text('failure_reason'),
    packageDigest: text('package_digest'),
    packageSize: bigint('package_size', { mode: 'number' }),
    /** The image manifest's digest (the seed's manifest with `aosService`). */
    imageDigest: text('image_digest'),
    imageSize: bigint('image_size', { mode: 'number' }),
    /**
     * The OCI image index stored as a blob (AosEdge era B: desiredStatus items name it as
     * `indexDigest`), leading to the manifest; null for versions built before it existed until a
     * unit first needs it.
     */
    indexDigest: text('index_digest'),
    /**
     * Every blob this version holds in the blob store (package, manifest, configs, layers): what a
     * delete may free. Written before a build copies them in, so an interrupted build's blobs are known.
     */
    blobDigests: jsonb('blob_digests').$type<string[]>().notNull().default([]),
    /** The cloud process building this version while it is `processing`; null once it is not. */
    processingOwner: uuid('processing_owner').references(() => cloudProcesses.id, { onDelete: 'set null' }),
    configSummary: jsonb('config_summary').$type<ConfigSummary>(),
    uploadedBy: uuid('uploaded_by').references(() => users.id, { onDelete: 'set null' }),
    signerFingerprint: text('signer_fingerprint'),
    createdAt: createdAt(),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    approvedBy: uuid('approved_by').references(() => users.id, { onDelete: 'set null' }),
  },
  (table) => [uniqueIndex('service_versions_service_version_idx').on(table.serviceId, table.version)],
);

export const units = pgTable(
  'units',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'restrict' }),
    systemId: text('system_id').notNull().unique(),
    model: text('model').notNull(),
    /** `new` until its provisioning finishes, then `provisioned` (a revoked unit stays provisioned with `revokedAt`). */
    state: unitState('state').notNull().default('new'),
    /**
     * `online` while a cloud process holds its socket (`connectedProcess`); trust it only while that
     * process's heartbeat is fresh (cloud_processes), else the unit is offline since `lastSeenAt`.
     */
    connection: unitConnection('connection').notNull().default('offline'),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }),
    /** The cloud process holding the unit's socket while `online`. */
    connectedProcess: uuid('connected_process').references(() => cloudProcesses.id, { onDelete: 'set null' }),
    /** The unit's current certificate (issued at provisioning): its SHA-256 fingerprint as X509Certificate.fingerprint256. */
    certificateFingerprint: text('certificate_fingerprint').unique(),
    certificatePem: text('certificate_pem'),
    provisionedAt: timestamp('provisioned_at', { withTimezone: true }),
    /** Set when an OEM user revoked the unit: refused at the upgrade, its socket closed; re-provisioning clears it. */
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /** The last full unitStatus's node list (hardware, OS, runtimes), as reported. */
    nodeInfo: jsonb('node_info').$type<unknown[]>(),
    createdAt: createdAt(),
  },
  (table) => [index('units_organisation_idx').on(table.organisationId)],
);

/**
 * One-time provisioning tokens: only the token's SHA-256 is stored. A token is consumed (usedAt)
 * atomically when a unit opens the provisioning socket with it; asking for a new one deletes the
 * unit's unused ones.
 */
export const provisioningTokens = pgTable(
  'provisioning_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (table) => [index('provisioning_tokens_unit_idx').on(table.unitId)],
);

/**
 * The last desired status the cloud issued to each unit: the signed v7 document, its generation
 * (strictly increasing per unit) and the canonical digest of its data without the signature. A
 * newly computed status with the same digest is not re-issued.
 */
export const unitDesiredStatuses = pgTable('unit_desired_statuses', {
  unitId: uuid('unit_id')
    .primaryKey()
    .references(() => units.id, { onDelete: 'cascade' }),
  generation: bigint('generation', { mode: 'number' }).notNull(),
  digest: text('digest').notNull(),
  /** The signed desiredStatus data as sent (with `signature`). */
  document: jsonb('document').$type<Record<string, unknown>>().notNull(),
  issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
});

/** Error details as a unit reports them (v7 errorInfo). */
export interface ReportedError {
  aosCode?: number;
  exitCode?: number;
  message?: string;
}

/**
 * What a unit last reported of each item version it holds (v7 unitStatus `items`): one row per
 * (unit, item, version); `reportedAt` is when the cloud received it. Items are service ids as text,
 * not foreign keys: a unit may report a service the cloud has since deleted.
 */
export const unitItemStatuses = pgTable(
  'unit_item_statuses',
  {
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    itemId: text('item_id').notNull(),
    version: text('version').notNull(),
    state: text('state').notNull(),
    errorInfo: jsonb('error_info').$type<ReportedError>(),
    reportedAt: timestamp('reported_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.unitId, table.itemId, table.version] }),
    index('unit_item_statuses_item_idx').on(table.itemId),
  ],
);

/** What a unit last reported of each instance (v7 unitStatus `instances`), one row per (unit, item, subject, index). */
export const unitInstanceStatuses = pgTable(
  'unit_instance_statuses',
  {
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    itemId: text('item_id').notNull(),
    subjectId: text('subject_id').notNull(),
    instance: bigint('instance', { mode: 'number' }).notNull(),
    version: text('version').notNull(),
    state: text('state').notNull(),
    errorInfo: jsonb('error_info').$type<ReportedError>(),
    reportedAt: timestamp('reported_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.unitId, table.itemId, table.subjectId, table.instance] }),
    index('unit_instance_statuses_item_idx').on(table.itemId),
  ],
);

/**
 * The history of a unit: every change of an item or instance state, connection and desired
 * generation, with the time it happened (reported or observed). Pruned to the newest rows per unit.
 */
export const unitStatusEvents = pgTable(
  'unit_status_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** `item`, `instance`, `connection` or `desired`. */
    kind: text('kind').notNull(),
    /** What changed: `<itemId>@<version>`, `<itemId>/<subjectId>/<instance>`, or empty. */
    subject: text('subject').notNull().default(''),
    state: text('state').notNull(),
    version: text('version'),
    errorInfo: jsonb('error_info').$type<ReportedError>(),
  },
  (table) => [index('unit_status_events_unit_at_idx').on(table.unitId, table.at)],
);

export const unitSets = pgTable(
  'unit_sets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    /**
     * Units in a verification set are to get a new version right after upload, without OEM
     * approval, once the unit link sends versions to units (today nothing does).
     */
    isVerificationSet: boolean('is_verification_set').notNull().default(false),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex('unit_sets_organisation_name_idx').on(table.organisationId, table.name)],
);

export const unitSetUnits = pgTable(
  'unit_set_units',
  {
    unitSetId: uuid('unit_set_id')
      .notNull()
      .references(() => unitSets.id, { onDelete: 'cascade' }),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
  },
  (table) => [
    primaryKey({ columns: [table.unitSetId, table.unitId] }),
    // fleet: a unit's sets, for its desired status (the key leads with the set).
    index('unit_set_units_unit_idx').on(table.unitId),
  ],
);

export const subjects = pgTable(
  'subjects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    type: subjectType('type').notNull().default('group'),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex('subjects_organisation_name_idx').on(table.organisationId, table.name)],
);

/** A bound service cannot be deleted (restrict): unbind it first. */
export const subjectServices = pgTable(
  'subject_services',
  {
    subjectId: uuid('subject_id')
      .notNull()
      .references(() => subjects.id, { onDelete: 'cascade' }),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'restrict' }),
  },
  (table) => [primaryKey({ columns: [table.subjectId, table.serviceId] })],
);

export const subjectUnits = pgTable(
  'subject_units',
  {
    subjectId: uuid('subject_id')
      .notNull()
      .references(() => subjects.id, { onDelete: 'cascade' }),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'restrict' }),
  },
  (table) => [
    primaryKey({ columns: [table.subjectId, table.unitId] }),
    // fleet: a unit's direct subjects, for its desired status (the key leads with the subject).
    index('subject_units_unit_idx').on(table.unitId),
  ],
);

export const subjectUnitSets = pgTable(
  'subject_unit_sets',
  {
    subjectId: uuid('subject_id')
      .notNull()
      .references(() => subjects.id, { onDelete: 'cascade' }),
    unitSetId: uuid('unit_set_id')
      .notNull()
      .references(() => unitSets.id, { onDelete: 'restrict' }),
  },
  (table) => [primaryKey({ columns: [table.subjectId, table.unitSetId] })],
);

// ── monitoring (issue 13): what units report in v7 monitoringData ──────────────────────────────
// A series is one node of a unit (`node:<codename>`) or one instance (`instance:<item>/<subject>/<n>`):
// monitoring/series-key.ts in @openaos/api is the one place that builds these names. Figures are
// as the unit reports them: cpu in DMIPS (or percent of the unit when it has no DMIPS figure), ram
// and partitions in bytes, download/upload in bytes.

/** A disk partition's used bytes, as reported (`storage`, `state`, or a node partition). */
export interface PartitionUsage {
  name: string;
  usedSize: number;
}

/**
 * Every sample as received, kept for a day by default (OPENAOS_MONITORING_RAW_HOURS). The primary
 * key is the chart query's index (unit, series, time range) and makes a resent message a no-op.
 */
export const monitoringSamples = pgTable(
  'monitoring_samples',
  {
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    series: text('series').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** The service of an instance series (what an SP may read); null for a node series. */
    itemId: text('item_id'),
    cpu: bigint('cpu', { mode: 'number' }).notNull(),
    ram: bigint('ram', { mode: 'number' }).notNull(),
    download: bigint('download', { mode: 'number' }),
    upload: bigint('upload', { mode: 'number' }),
    pids: integer('pids'),
    partitions: jsonb('partitions').$type<PartitionUsage[]>().notNull().default([]),
  },
  // BRIN on the time: retention deletes by age without a second B-tree on every insert.
  (table) => [
    primaryKey({ columns: [table.unitId, table.series, table.at] }),
    index('monitoring_samples_at_brin').using('brin', table.at),
  ],
);

/**
 * Five-minute averages, kept for 30 days by default (OPENAOS_MONITORING_ROLLUP_DAYS): sums and a
 * count, added to as samples arrive (exact with late and resent samples, and with several cloud
 * processes); partitions are the bucket's newest.
 */
export const monitoringRollups = pgTable(
  'monitoring_rollups',
  {
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    series: text('series').notNull(),
    /** The bucket's start (a multiple of 5 minutes since the epoch). */
    at: timestamp('at', { withTimezone: true }).notNull(),
    itemId: text('item_id'),
    samples: integer('samples').notNull(),
    cpuSum: doublePrecision('cpu_sum').notNull(),
    ramSum: doublePrecision('ram_sum').notNull(),
    downloadSum: doublePrecision('download_sum').notNull().default(0),
    uploadSum: doublePrecision('upload_sum').notNull().default(0),
    pidsSum: doublePrecision('pids_sum').notNull().default(0),
    pidsSamples: integer('pids_samples').notNull().default(0),
    partitions: jsonb('partitions').$type<PartitionUsage[]>().notNull().default([]),
    /** When the bucket's newest sample was taken (which `partitions` belong to). */
    partitionsAt: timestamp('partitions_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.unitId, table.series, table.at] }),
    index('monitoring_rollups_at_brin').using('brin', table.at),
  ],
);

/**
 * Hourly averages, kept for a year by default (OPENAOS_MONITORING_HOURLY_DAYS): the same sums as
 * the five-minute ones, added to as samples arrive. Chart spans over two days read these, so a
 * month of one series is 744 rows rather than 8 928.
 */
export const monitoringHourly = pgTable(
  'monitoring_hourly',
  {
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    series: text('series').notNull(),
    /** The bucket's start (a whole hour since the epoch). */
    at: timestamp('at', { withTimezone: true }).notNull(),
    itemId: text('item_id'),
    samples: integer('samples').notNull(),
    cpuSum: doublePrecision('cpu_sum').notNull(),
    ramSum: doublePrecision('ram_sum').notNull(),
    downloadSum: doublePrecision('download_sum').notNull().default(0),
    uploadSum: doublePrecision('upload_sum').notNull().default(0),
    pidsSum: doublePrecision('pids_sum').notNull().default(0),
    pidsSamples: integer('pids_samples').notNull().default(0),
    partitions: jsonb('partitions').$type<PartitionUsage[]>().notNull().default([]),
    partitionsAt: timestamp('partitions_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.unitId, table.series, table.at] }),
    index('monitoring_hourly_at_brin').using('brin', table.at),
  ],
);

/** The newest sample of each series with its identity: the fleet overview and the list of a unit's series. */
export const monitoringLatest = pgTable(
  'monitoring_latest',
  {
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    series: text('series').notNull(),
    node: text('node').notNull(),
    itemId: text('item_id'),
    subjectId: text('subject_id'),
    instance: integer('instance'),
    at: timestamp('at', { withTimezone: true }).notNull(),
    cpu: bigint('cpu', { mode: 'number' }).notNull(),
    ram: bigint('ram', { mode: 'number' }).notNull(),
    download: bigint('download', { mode: 'number' }),
    upload: bigint('upload', { mode: 'number' }),
    pids: integer('pids'),
    partitions: jsonb('partitions').$type<PartitionUsage[]>().notNull().default([]),
  },
  (table) => [
    primaryKey({ columns: [table.unitId, table.series] }),
    index('monitoring_latest_item_idx').on(table.itemId),
  ],
);
// ---------------------------------------------------------------------------------------------
// alerts: what units report in v7 `alerts` (docs/alerts-and-state.md). One row per alert, except
// quota alerts (one row per raise…fall episode, `active` until it falls) and download progress
// (one row per unit and blob digest, the latest event). Retention: see domain/alerts/retention.ts.
// ---------------------------------------------------------------------------------------------

/** One alert, or one quota alert episode, or the latest progress of one download. */
export const unitAlerts = pgTable(
  'unit_alerts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    /** `system`, `core`, `system-quota`, `instance-quota`, `instance`, `device` or `download`. */
    kind: text('kind').notNull(),
    /** The v7 tag as received (`instanceQuotaAlert`…). */
    tag: text('tag').notNull(),
    /** The item (service id) for instance alerts; null for node alerts. Text: the service may be gone. */
    serviceId: text('service_id'),
    subjectId: text('subject_id'),
    instance: integer('instance'),
    nodeId: text('node_id'),
    /** Quota alerts: `cpu`, `ram`, a partition name…; download alerts: the blob digest. */
    parameter: text('parameter'),
    /** Quota alerts: the last value reported; downloads: bytes downloaded. */
    value: bigint('value', { mode: 'number' }),
    /** The highest value of a quota episode; downloads: the total bytes. */
    peak: bigint('peak', { mode: 'number' }),
    message: text('message'),
    /** Quota: `raise`, `continue` or `fall` (the last one); downloads: `started`, `paused`, `interrupted`, `finished`. */
    state: text('state'),
    /** A quota alert raised and not yet fallen. */
    active: boolean('active').notNull().default(false),
    /** When it happened on the unit (the first event of an episode). */
    raisedAt: timestamp('raised_at', { withTimezone: true }).notNull(),
    /** The unit's time of the newest event of this row. */
    lastAt: timestamp('last_at', { withTimezone: true }).notNull(),
    fallenAt: timestamp('fallen_at', { withTimezone: true }),
    /** How many events this row stands for (continues, download updates). */
    events: integer('events').notNull().default(1),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    /** The newest v7 alert item as received. */
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
  },
  (table) => [
    index('unit_alerts_unit_last_idx').on(table.unitId, table.lastAt),
    index('unit_alerts_service_last_idx').on(table.serviceId, table.lastAt),
    index('unit_alerts_last_idx').on(table.lastAt),
  ],
);

// ---------------------------------------------------------------------------------------------
// state: AosEdge state sync (reference §4.8, docs/alerts-and-state.md). The latest accepted
// /state.dat of every instance, and the default state of each version read from its package.
// ---------------------------------------------------------------------------------------------

/** The latest accepted state of one instance on one unit. Item and subject are text: they may be gone. */
export const instanceStates = pgTable(
  'instance_states',
  {
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    serviceId: text('service_id').notNull(),
    subjectId: text('subject_id').notNull(),
    instance: integer('instance').notNull(),
    content: text('content').notNull(),
    /** Hex SHA-256 of the content's UTF-8 bytes. */
    checksum: text('checksum').notNull(),
    size: integer('size').notNull(),
    /** `unit` (newState accepted) or `cloud` (set by an SP user, sent with updateState). */
    source: text('source').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
    /** A state set in the cloud: null until the unit acknowledged its updateState (then sent again on its next connection). */
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (table) => [
    primaryKey({ columns: [table.unitId, table.serviceId, table.subjectId, table.instance] }),
    index('instance_states_service_idx').on(table.serviceId),
  ],
);

/** A version's default state (default_state.dat of its package), read once from the stored package. */
export const versionDefaultStates = pgTable('version_default_states', {
  versionId: uuid('version_id')
    .primaryKey()
    .references(() => serviceVersions.id, { onDelete: 'cascade' }),
  /** Null when the package has no default state. */
  content: text('content'),
  readAt: timestamp('read_at', { withTimezone: true }).notNull(),
});
// ---------------------------------------------------------------------------------------------
// Rollouts (docs/rollouts.md): a version rolled out to the units of one subject in waves, gated by
// health, stopped by a failure threshold. Wave membership is decided once at start and recorded here.
// ---------------------------------------------------------------------------------------------

export const rolloutStatus = pgEnum('rollout_status', ['running', 'paused', 'completed', 'aborted', 'superseded']);

/** A rollout plan as stored (validated by the rollouts router; see domain/rollouts/plan.ts). */
export interface StoredRolloutPlan {
  /** Cumulative wave sizes: `{ percent }` of the rollout's units or `{ count }` of units; the last reaches all. */
  waves: ({ percent: number } | { count: number })[];
  /** A wave's updated units must stay active this long before the next wave starts. */
  soakSeconds: number;
  /** Units that must be active (soaked) in a wave before the next starts (capped at the wave's size). */
  minHealthyUnits: number;
  /** Failed units (as a percentage of the units that finished) at or over which the action is taken. */
  failureThresholdPercent: number;
  /** The threshold applies only once this many units have finished (active or failed). */
  failureMinUnits: number;
  onFailure: 'pause' | 'abort';
  /** An offline unit of a started wave is pending until this long after its wave started, then failed. */
  offlineTimeoutSeconds: number;
  /**
   * An online unit of a started wave that is not active on the version this long after its wave
   * reached it is failed (a version that crash-loops without the agent giving up on it). Absent in
   * plans stored before it existed: no timeout.
   */
  activeTimeoutSeconds?: number;
}

export const rollouts = pgTable(
  'rollouts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'restrict' }),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    subjectId: uuid('subject_id')
      .notNull()
      .references(() => subjects.id, { onDelete: 'cascade' }),
    /** The version rolled out (approved). */
    versionId: uuid('version_id')
      .notNull()
      .references(() => serviceVersions.id, { onDelete: 'restrict' }),
    version: text('version').notNull(),
    /** What units that join the subject before it completes get (null: no version, the service is absent). */
    baselineVersion: text('baseline_version'),
    plan: jsonb('plan').$type<StoredRolloutPlan>().notNull(),
    status: rolloutStatus('status').notNull().default('running'),
    /** Failed units a person accepted when resuming after the threshold: only failures beyond them count. */
    acceptedFailures: integer('accepted_failures').notNull().default(0),
    /** Index of the newest started wave (0-based). */
    currentWave: integer('current_wave').notNull().default(0),
    waveStartedAt: timestamp('wave_started_at', { withTimezone: true }).notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (table) => [
    index('rollouts_service_idx').on(table.serviceId),
    // One active rollout per service and subject; a newer one supersedes it explicitly.
    uniqueIndex('rollouts_active_idx')
      .on(table.serviceId, table.subjectId)
      .where(sql`${table.status} in ('running', 'paused')`),
  ],
);

/** The units of a rollout, each in its wave (decided at start), with what the cloud last observed of it. */
export const rolloutUnits = pgTable(
  'rollout_units',
  {
    rolloutId: uuid('rollout_id')
      .notNull()
      .references(() => rollouts.id, { onDelete: 'cascade' }),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    wave: integer('wave').notNull(),
    /** The version of the service the unit had been given when the rollout started (null: none). */
    fromVersion: text('from_version'),
    /** `pending`, `updating`, `offline`, `active` or `failed` (domain/rollouts/decide.ts). */
    state: text('state').notNull().default('pending'),
    /** Since when the state holds (an active unit soaks from here). */
    since: timestamp('since', { withTimezone: true }),
    reason: text('reason'),
  },
  (table) => [
    primaryKey({ columns: [table.rolloutId, table.unitId] }),
    index('rollout_units_unit_idx').on(table.unitId),
  ],
);

/** Every decision of a rollout, with its reason and the counts it was taken on. */
export const rolloutEvents = pgTable(
  'rollout_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    rolloutId: uuid('rollout_id')
      .notNull()
      .references(() => rollouts.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** `started`, `wave-started`, `paused`, `resumed`, `aborted`, `completed`, `superseded`. */
    kind: text('kind').notNull(),
    wave: integer('wave'),
    reason: text('reason').notNull(),
    /** Units per state when the decision was taken. */
    counts: jsonb('counts').$type<Record<string, number>>().notNull().default({}),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
  },
  (table) => [index('rollout_events_rollout_idx').on(table.rolloutId)],
);
