#!/usr/bin/env node
// The idle cloud's memory (bench/README.md, "The embedded cloud's memory"): the built server
// started on embedded PGlite (first start, which also runs initdb, and a second start on the same
// data) and on PostgreSQL, nothing uploaded. Prints its RSS as `ps` sees it, then after a GC the
// V8 heap and the memory outside it (WebAssembly memory and buffers count as `arrayBuffers`).
// `pnpm build` first; DATABASE_URL (default the local test server) for the PostgreSQL case.
import { randomBytes } from 'node:crypto';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { startCloud } from './fleet/cloud-processes.mjs';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
const MiB = 1024 * 1024;
const mib = (bytes) => (bytes / MiB).toFixed(1);

/** VmRSS and VmHWM (peak) of a process, bytes. */
async function residentOf(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

async function measureIdle(label, options) {
  const cloud = await startCloud({ adminPassword: 'memory bench admin password', ...options });
  try {
    // Idle: started and listening, then left alone for a few seconds (maintenance timers only).
    await delay(5000);
    const before = await residentOf(cloud.pid);
    const after = await cloud.measure();
    return {
      label,
      rss: before.rss,
      peak: before.peak,
      rssAfterGc: after.rss,
      heapUsed: after.heapUsed,
      heapTotal: after.heapTotal,
      external: after.external,
      arrayBuffers: after.arrayBuffers,
    };
  } finally {
    await cloud.stop();
  }
}

async function main() {
  const rows = [];
  const dataDir = await mkdtemp(join(tmpdir(), 'openaos-cloud-memory-'));
  try {
    rows.push(await measureIdle('PGlite, first start', { dataDir }));
    rows.push(await measureIdle('PGlite, second start', { dataDir }));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  const name = `openaos_memory_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  const pgDataDir = await mkdtemp(join(tmpdir(), 'openaos-cloud-memory-pg-'));
  try {
    rows.push(await measureIdle('PostgreSQL', { dataDir: pgDataDir, databaseUrl: url.toString() }));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    await rm(pgDataDir, { recursive: true, force: true });
  }
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  console.log('idle cloud (nothing uploaded)       RSS   peak  RSS after GC  heap used  external (wasm, buffers)');
  for (const row of rows) {
    console.log(
      `${row.label.padEnd(32)} ${mib(row.rss).padStart(6)} ${mib(row.peak).padStart(6)} ${mib(row.rssAfterGc).padStart(13)} ${mib(row.heapUsed).padStart(10)} ${mib(row.external).padStart(9)} (${mib(row.arrayBuffers)}) MiB`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
