#!/usr/bin/env node
// The fleet bench (bench/README.md, "Fleet"): N simulated units on one or more real cloud
// processes over PostgreSQL. `pnpm bench:fleet`; FLEET_UNITS (10000), FLEET_CLOUDS (1),
// DATABASE_URL (the local test server), FLEET_MONITORING_S (60, the agent's period),
// FLEET_TIMEOUT_S (300, or a second per 10 units: a guard against a hang per phase, not a measure),
// FLEET_PROVISION_CONCURRENCY (64), FLEET_PROFILE (1 or storm). `--json` prints the figures as JSON
// on stdout (progress goes to stderr either way).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import {
  createSharedRequest,
  createUser,
  mapLimited,
  mutate,
  mutateMany,
  provisionUnit,
  signInAdmin,
  uploadVersion,
} from './cloud-api.mjs';
import { summarizeCpuProfile } from '../lib/summarize-profile.mjs';
import { startCloud } from './cloud-processes.mjs';
import { summarizeTotalTime } from './phase-profile.mjs';
import { SimUnit } from './sim-unit.mjs';
import { percentile, seconds, waitUntil } from './stats.mjs';

const UNITS = Number(process.env.FLEET_UNITS ?? 10_000);
const CLOUDS = Number(process.env.FLEET_CLOUDS ?? 1);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
const MONITORING_MS = Number(process.env.FLEET_MONITORING_S ?? 60) * 1000;
const TIMEOUT_MS = Number(process.env.FLEET_TIMEOUT_S ?? Math.max(300, UNITS / 10)) * 1000;
/** Units provisioning over their sockets at once (FLEET_PROVISION_CONCURRENCY, default 64). */
const PROVISION_CONCURRENCY = Number(process.env.FLEET_PROVISION_CONCURRENCY ?? 64);
const ADMIN_PASSWORD = 'fleet bench admin password';
const isJson = process.argv.includes('--json');
/**
 * FLEET_PROFILE=1: a V8 CPU profile of each cloud process's whole run, summarised at the end (self
 * time per function); FLEET_PROFILE=storm: one of the storm alone (self and total time).
 */
const PROFILE = process.env.FLEET_PROFILE === '1';
const PROFILE_STORM = process.env.FLEET_PROFILE === 'storm';
if (!['1', 'storm', undefined, ''].includes(process.env.FLEET_PROFILE))
  throw new Error(
    `FLEET_PROFILE must be 1 (the whole run) or storm (the storm alone), not ${process.env.FLEET_PROFILE}`,
  );
const log = (line) => process.stderr.write(`${line}\n`);
const MiB = 1024 * 1024;

if (!Number.isInteger(UNITS) || UNITS < 1)
  throw new Error(`FLEET_UNITS must be a positive whole number, not ${process.env.FLEET_UNITS}`);
if (!Number.isInteger(PROVISION_CONCURRENCY) || PROVISION_CONCURRENCY < 1)
  throw new Error(
    `FLEET_PROVISION_CONCURRENCY must be a positive whole number, not ${process.env.FLEET_PROVISION_CONCURRENCY}`,
  );
if (!Number.isInteger(CLOUDS) || CLOUDS < 1)
  throw new Error(`FLEET_CLOUDS must be a positive whole number, not ${process.env.FLEET_CLOUDS}`);

/** A fresh database on the server of DATABASE_URL, dropped at the end. */
async function createDatabase() {
  const name = `openaos_fleet_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async onlineUnits() {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        const result = await client.query(`SELECT count(*)::int AS n FROM units WHERE connection = 'online'`);
        return result.rows[0].n;
      } finally {
        await client.end();
      }
    },
    /** Transactions committed in the bench database so far (each statement outside a transaction is one). */
    async transactions() {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        // Statistics reach the view up to a second late: a snapshot taken after a quiet moment.
        await client.query('SELECT pg_stat_clear_snapshot()');
        const result = await client.query(
          'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
        );
        return Number(result.rows[0].n);
      } finally {
        await client.end();
      }
    },
    async drop() {
      const dropper = new pg.Client({ connectionString: DATABASE_URL });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

async function main() {
  const startedAt = Date.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'openaos-fleet-bench-'));
  const database = await createDatabase();
  const clouds = [];
  const units = [];
  try {
    log(`fleet: starting ${CLOUDS} cloud process(es) on PostgreSQL`);
    // The first creates the CA and the admin; the others start on the same data after it.
    const cloudOptions = {
      dataDir,
      databaseUrl: database.url,
      adminPassword: ADMIN_PASSWORD,
      profileDir: PROFILE ? join(dataDir, 'profiles') : undefined,
    };
    clouds.push(await startCloud(cloudOptions));
    for (let i = 1; i < CLOUDS; i++) clouds.push(await startCloud(cloudOptions));
    const api = clouds[0].url;
    const trustedCa = await readFile(join(dataDir, 'ca', 'ca.crt.pem'), 'utf8');

    // Accounts, a service with version 1.0.0, N units in one unit set bound through a subject.
    const admin = await signInAdmin(api, ADMIN_PASSWORD);
    const sp = await createUser(api, admin, 'sp');
    const oem = await createUser(api, admin, 'oem');
    const service = await mutate(api, sp, 'services.create', { title: 'fleet bench' });
    const version1 = await uploadVersion(api, sp, service.id, '1.0.0');
    const provisionStart = Date.now();
    const systemIds = Array.from({ length: UNITS }, (_, i) => `fleet-${String(i).padStart(6, '0')}`);
    const created = await mutateMany(
      api,
      oem,
      'units.create',
      systemIds.map((systemId) => ({ systemId, model: 'fleet-sim' })),
    );
    const unitSet = await mutate(api, oem, 'unitSets.create', { name: 'fleet' });
    for (let start = 0; start < created.length; start += 1000) {
      const unitIds = created.slice(start, start + 1000).map((unit) => unit.id);
      await mutate(api, oem, 'unitSets.addUnits', { id: unitSet.id, unitIds });
    }
    const subject = await mutate(api, oem, 'subjects.create', { name: 'fleet' });
    await mutate(api, oem, 'subjects.bind', { id: subject.id, serviceIds: [service.id], unitSetIds: [unitSet.id] });
    const tokens = await mutateMany(
      api,
      oem,
      'units.provisionToken',
      systemIds.map((unit) => ({ unit, cloudUrl: api })),
    );
    const createdMs = Date.now() - provisionStart;
    const request = createSharedRequest();
    const socketsStart = Date.now();
    let provisioned = 0;
    const credentials = await mapLimited(systemIds, PROVISION_CONCURRENCY, async (systemId, index) => {
      const credential = await provisionUnit(clouds[index % CLOUDS].url, systemId, tokens[index].token, request);
      if (++provisioned % 1000 === 0) log(`  provisioned ${provisioned}/${UNITS}`);
      return credential;
    });
    const provisionMs = Date.now() - provisionStart;
    log(
      `fleet: ${UNITS} units created and provisioned through the API in ${seconds(provisionMs)} s ` +
        `(records, set, binding and tokens ${seconds(createdMs)} s; provisioning sockets ${seconds(Date.now() - socketsStart)} s)`,
    );

    const before = await Promise.all(clouds.map((cloud) => cloud.measure()));

    // Connect every unit (its cloud round-robin), each sends its full status and gets its desired status.
    const counters = { sent: 0, received: 0, refused: 0, failures: new Map() };
    const desiredAt = new Map(); // "version systemId" → time the desired status naming it arrived
    const activeAt = new Map(); // version → Map(systemId → time acknowledged active)
    const onActive = (unit, version) => {
      let byUnit = activeAt.get(version);
      if (!byUnit) activeAt.set(version, (byUnit = new Map()));
      if (!byUnit.has(unit.systemId)) byUnit.set(unit.systemId, Date.now());
    };
    for (const [index, systemId] of systemIds.entries()) {
      units.push(
        new SimUnit({
          systemId,
          credential: credentials[index],
          cloudUrl: clouds[index % CLOUDS].url,
          trustedCa,
          counters,
          monitoringPeriodMs: MONITORING_MS,
          onActive,
          onDesired: (unit, desired) => {
            const version = desired.items[0]?.version;
            if (version && !desiredAt.has(`${version} ${unit.systemId}`))
              desiredAt.set(`${version} ${unit.systemId}`, Date.now());
          },
        }),
      );
    }
    const connectStart = Date.now();
    await mapLimited(units, 64, (unit) => unit.connect());
    await waitUntil(
      () => units.every((unit) => unit.resyncedAt !== undefined),
      'every unit connected and resynced',
      TIMEOUT_MS,
    );
    const connectMs = Date.now() - connectStart;
    log(`fleet: ${UNITS} units connected and resynced in ${seconds(connectMs)} s`);

    const countActive = (version) => activeAt.get(version)?.size ?? 0;
    // An approval starts a staged rollout (1 % → 10 % → 50 % → 100 %, soaking between waves:
    // docs/rollouts.md); the bench measures a change reaching the whole fleet at once, so it
    // approves through a rollout of one wave of every unit.
    const approveEverywhere = (versionId) =>
      mutate(api, oem, 'rollouts.start', { versionId, plan: { waves: [{ percent: 100 }] }, supersede: true });
    // Warm-up: version 1.0.0 approved, every unit gets it.
    await approveEverywhere(version1);
    await waitUntil(
      () => countActive('1.0.0') === UNITS,
      () => `every unit active on 1.0.0 (${countActive('1.0.0')} are)`,
      TIMEOUT_MS,
    );
    log('fleet: every unit runs 1.0.0');

    // The measured change: 1.1.0 uploaded, then approved; to every unit acknowledged and reporting it active.
    const version2 = await uploadVersion(api, sp, service.id, '1.1.0');
    await delay(1500);
    const transactionsBefore = await database.transactions();
    const messagesBefore = counters.sent + counters.received;
    const changeAt = Date.now();
    await approveEverywhere(version2);
    await waitUntil(
      () => countActive('1.1.0') === UNITS,
      () => `every unit active on 1.1.0 (${countActive('1.1.0')} are)`,
      TIMEOUT_MS,
    );
    const updateTimes = [...activeAt.get('1.1.0').values()].map((at) => at - changeAt);
    const deliveryTimes = [...desiredAt].filter(([key]) => key.startsWith('1.1.0 ')).map(([, at]) => at - changeAt);
    const updateMs = Math.max(...updateTimes);
    const updateMessages = counters.sent + counters.received - messagesBefore;
    log(`fleet: every unit runs 1.1.0, ${seconds(updateMs)} s after the approval`);
    await delay(1500);
    const updateTransactions = (await database.transactions()) - transactionsBefore;

    // Memory per connected unit, in the cloud processes, after a GC.
    const after = await Promise.all(clouds.map((cloud) => cloud.measure()));
    const sum = (list, key) => list.reduce((total, each) => total + each[key], 0);
    const perUnitKb = (key) => (sum(after, key) - sum(before, key)) / UNITS / 1024;

    // Reconnect storm: every socket cut at once; each unit reconnects with the agent's backoff and jitter.
    const connectionsBefore = units.map((unit) => unit.connections);
    const stormBefore = counters.sent + counters.received;
    if (PROFILE_STORM) await Promise.all(clouds.map((cloud) => cloud.startProfile()));
    const cpuBefore = await Promise.all(clouds.map((cloud) => cloud.measure()));
    const simulatorCpuBefore = process.cpuUsage();
    const stormAt = Date.now();
    for (const unit of units) unit.drop();
    let stormMs;
    try {
      await waitUntil(
        () => units.every((unit) => unit.isOpen && unit.resyncedAt !== undefined && unit.resyncedAt >= stormAt),
        'every unit back and resynced after the storm',
        TIMEOUT_MS,
        20,
      );
      stormMs = Math.max(...units.map((unit) => unit.resyncedAt)) - stormAt;
    } catch (error) {
      log(`fleet: ${error.message}`);
    }
    const simulatorCpu = process.cpuUsage(simulatorCpuBefore);
    const cpuAfter = await Promise.all(clouds.map((cloud) => cloud.measure()));
    const stormCpu = {
      cloudSeconds: cpuAfter.map((each, index) => (each.cpuMs - cpuBefore[index].cpuMs) / 1000),
      simulatorSeconds: (simulatorCpu.user + simulatorCpu.system) / 1e6,
    };
    log(
      `fleet: storm CPU: cloud ${stormCpu.cloudSeconds.map((each) => each.toFixed(1)).join(' + ')} s, ` +
        `simulator ${stormCpu.simulatorSeconds.toFixed(1)} s (wall ${stormMs === undefined ? 'n/a' : seconds(stormMs)} s, 2 cores shared)`,
    );
    if (PROFILE_STORM) {
      for (const [index, cloud] of clouds.entries()) {
        const path = join(tmpdir(), `openaos-fleet-storm-${UNITS}-${stormAt}-${index}.cpuprofile`);
        await cloud.stopProfile(path);
        log(`\nwhere cloud ${index}'s CPU time went during the storm (self time; profile kept in ${path}):`);
        for (const entry of await summarizeCpuProfile(path, 25))
          log(`  ${String(entry.selfMs).padStart(7)} ms ${String(entry.percent).padStart(5)} %  ${entry.name}`);
        const total = await summarizeTotalTime(path, 40);
        log(`total time (the function and what it called), ${total.busyMs} ms busy of ${total.wallMs} ms:`);
        for (const entry of total.functions) log(`  ${String(entry.totalMs).padStart(7)} ms  ${entry.name}`);
      }
    }
    const stormMessages = counters.sent + counters.received - stormBefore;
    // Where the storm's time went: when units came back (per second after the cut) and why attempts failed.
    const backAt = units.filter((unit) => unit.resyncedAt >= stormAt).map((unit) => unit.resyncedAt - stormAt);
    const perSecond = new Map();
    for (const ms of backAt) perSecond.set(Math.floor(ms / 1000), (perSecond.get(Math.floor(ms / 1000)) ?? 0) + 1);
    log(
      `fleet: storm, units resynced per second after the cut: ${[...perSecond]
        .sort((a, b) => a[0] - b[0])
        .map(([second, count]) => `${second}s:${count}`)
        .join(' ')}`,
    );
    const phase = (key) => {
      const times = units.filter((unit) => unit[key] >= stormAt).map((unit) => unit[key] - stormAt);
      return times.length === 0
        ? 'n/a'
        : `p50 ${seconds(percentile(times, 0.5))} p99 ${seconds(percentile(times, 0.99))} max ${seconds(Math.max(...times))} s`;
    };
    log(
      `fleet: storm, after the cut: socket open ${phase('openedAt')}; full status acked ${phase('fullStatusAckedAt')}; ` +
        `desired status received ${phase('desiredAt')}`,
    );
    log(
      `fleet: storm, failed attempts: ${[...counters.failures].map(([reason, count]) => `${count}× ${reason}`).join('; ') || 'none'}`,
    );
    log(`fleet: storm, attempts per unit: max ${Math.max(...units.map((unit) => unit.attempt))}`);
    const lost = units.filter((unit) => !(unit.isOpen && unit.resyncedAt >= stormAt)).length;
    const reconnects = units.map((unit, index) => unit.connections - connectionsBefore[index]);
    // The database must show each unit online exactly once: no unit lost, none counted twice.
    const online = await waitUntil(
      async () => {
        const count = await database.onlineUnits();
        return count === UNITS - lost ? count : undefined;
      },
      'the database to show every connected unit online',
      60_000,
      250,
    ).catch(async () => database.onlineUnits());
    const duplicated = Math.max(0, online - (UNITS - lost));
    log(`fleet: storm absorbed in ${seconds(stormMs)} s`);

    const result = {
      units: UNITS,
      clouds: CLOUDS,
      provisionSeconds: provisionMs / 1000,
      connectSeconds: connectMs / 1000,
      update: {
        p50: percentile(updateTimes, 0.5) / 1000,
        p99: percentile(updateTimes, 0.99) / 1000,
        max: updateMs / 1000,
        messagesPerSecond: Math.round((updateMessages * 1000) / updateMs),
        databaseTransactionsPerUnit: updateTransactions / UNITS,
        desiredStatusDelivered: {
          p50: percentile(deliveryTimes, 0.5) / 1000,
          p99: percentile(deliveryTimes, 0.99) / 1000,
          max: Math.max(...deliveryTimes) / 1000,
        },
      },
      memory: {
        rssMiBBefore: sum(before, 'rss') / MiB,
        rssMiBAfter: sum(after, 'rss') / MiB,
        heapUsedMiBAfter: sum(after, 'heapUsed') / MiB,
        rssKbPerUnit: perUnitKb('rss'),
        heapKbPerUnit: perUnitKb('heapUsed'),
        externalKbPerUnit: perUnitKb('external'),
        hasGc: after.every((each) => each.hasGc),
      },
      storm: {
        seconds: stormMs === undefined ? null : stormMs / 1000,
        messagesPerSecond: stormMs ? Math.round((stormMessages * 1000) / stormMs) : null,
        reconnectsMax: Math.max(...reconnects),
        cloudCpuSeconds: stormCpu.cloudSeconds,
        simulatorCpuSeconds: stormCpu.simulatorSeconds,
        lost,
        duplicated,
        onlineInDatabase: online,
      },
      refusedDesiredStatuses: counters.refused,
      totalSeconds: (Date.now() - startedAt) / 1000,
    };
    const kb = Math.max(result.memory.rssKbPerUnit, result.memory.heapKbPerUnit);
    const summary = `fleet: ${UNITS} units, update p50 ${result.update.p50.toFixed(2)} p99 ${result.update.p99.toFixed(2)} max ${result.update.max.toFixed(2)}, ${kb.toFixed(1)} KB per unit, storm ${stormMs === undefined ? 'n/a' : seconds(stormMs)}, lost ${lost}`;
    if (isJson) {
      process.stdout.write(`${JSON.stringify({ ...result, summary }, null, 2)}\n`);
      return;
    }
    const lines = [
      '',
      `units ${UNITS} on ${CLOUDS} cloud process(es), PostgreSQL; simulator and cloud on this machine's ${(await import('node:os')).cpus().length} cores`,
      `provisioning (API + provisioning socket) ${seconds(provisionMs)} s; first connect of all ${seconds(connectMs)} s`,
      `update (approve → every unit acknowledged and reporting 1.1.0 active): p50 ${result.update.p50.toFixed(2)} s, p99 ${result.update.p99.toFixed(2)} s, max ${result.update.max.toFixed(2)} s`,
      `  of which the desired status reached the units: p50 ${result.update.desiredStatusDelivered.p50.toFixed(2)} s, p99 ${result.update.desiredStatusDelivered.p99.toFixed(2)} s, max ${result.update.desiredStatusDelivered.max.toFixed(2)} s after the approval`,
      `messages/s sustained (WebSocket messages both ways, acks included): ${result.update.messagesPerSecond} during the update, ${result.storm.messagesPerSecond ?? 'n/a'} during the storm`,
      `database transactions per unit during the update: ${result.update.databaseTransactionsPerUnit.toFixed(1)}`,
      `cloud memory after GC: RSS ${result.memory.rssMiBBefore.toFixed(1)} → ${result.memory.rssMiBAfter.toFixed(1)} MiB; per connected unit RSS ${result.memory.rssKbPerUnit.toFixed(1)} KB, heap ${result.memory.heapKbPerUnit.toFixed(1)} KB, external ${result.memory.externalKbPerUnit.toFixed(1)} KB`,
      `reconnect storm: all ${UNITS} sockets cut; back and resynced in ${stormMs === undefined ? 'n/a' : seconds(stormMs)} s (at most ${result.storm.reconnectsMax} connection(s) per unit), lost ${lost}, duplicated ${duplicated} (online in the database: ${online})`,
      summary,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (error) {
    // What the clouds said (problems the gateway logged) is the first thing to read when a wait failed.
    for (const [index, cloud] of clouds.entries())
      log(`fleet: cloud ${index}'s last output:\n${cloud.output().slice(-6000)}`);
    throw error;
  } finally {
    await Promise.all(units.map((unit) => unit.stop().catch(() => undefined)));
    await Promise.all(clouds.map((cloud) => cloud.stop()));
    if (PROFILE) {
      const directory = join(dataDir, 'profiles');
      for (const name of await readdir(directory).catch(() => [])) {
        log(`\nwhere a cloud process's CPU time went (${name}, self time):`);
        for (const entry of await summarizeCpuProfile(join(directory, name), 20)) {
          log(`  ${String(entry.selfMs).padStart(7)} ms ${String(entry.percent).padStart(5)} %  ${entry.name}`);
        }
      }
    }
    await database.drop().catch((error) => log(`dropping the bench database: ${error.message}`));
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
