/**
 * The cloud process's metrics (docs/cloud.md "Metrics"): one set per process, as Prometheus
 * expects (each replica is scraped on its own). Code that does the measured work records here
 * through the small functions below; `/metrics` renders them with the process figures read at
 * scrape time.
 */
import { readdir } from 'node:fs/promises';
import { Counter, Gauge, Histogram, renderMetrics } from './prometheus-text.js';
import type { ChannelSocket } from '@openaos/protocol/v7';

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;
const LONG_SECONDS_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] as const;

export const cloudMetrics = {
  unitConnections: new Counter('openaos_unit_connections_total', 'Unit channel connections accepted.'),
  unitMessages: new Counter(
    'openaos_unit_messages_total',
    'Unit channel frames (messages, acks and nacks) by direction: in from units, out to units.',
  ),
  desiredPushes: new Counter(
    'openaos_desired_status_pushes_total',
    'Desired statuses pushed to units, by result (acked, failed).',
  ),
  desiredPushSeconds: new Histogram(
    'openaos_desired_status_push_seconds',
    'From sending a desired status to the unit’s ack.',
    SECONDS_BUCKETS,
  ),
  uploadSeconds: new Histogram(
    'openaos_upload_seconds',
    'Package uploads from the request to the reply (receive, verify, build, store), by HTTP status class.',
    LONG_SECONDS_BUCKETS,
  ),
  imageBuildSeconds: new Histogram(
    'openaos_image_build_seconds',
    'OCI image builds of uploaded packages, by result (ok, failed).',
    LONG_SECONDS_BUCKETS,
  ),
};

/** A unit channel's socket whose frames are counted both ways. */
export function countUnitFrames<S extends ChannelSocket>(socket: S): S {
  cloudMetrics.unitConnections.inc();
  socket.on('message', () => cloudMetrics.unitMessages.inc({ direction: 'in' }));
  const send = socket.send.bind(socket);
  // The channel writes every frame through send(): count there.
  socket.send = ((data: Buffer, callback: (error?: Error) => void) => {
    cloudMetrics.unitMessages.inc({ direction: 'out' });
    send(data, callback);
  }) as S['send'];
  return socket;
}

/** Time a desired-status push until its ack; returns the same promise. */
export function observeDesiredPush<T>(sent: Promise<T>): Promise<T> {
  const startedAt = performance.now();
  const record = (result: 'acked' | 'failed') => {
    cloudMetrics.desiredPushes.inc({ result });
    if (result === 'acked') cloudMetrics.desiredPushSeconds.observe((performance.now() - startedAt) / 1000);
  };
  sent.then(
    () => record('acked'),
    () => record('failed'),
  );
  return sent;
}

/** Time work and record it in the histogram with the label the outcome gives. */
export async function timeWork<T>(
  histogram: Histogram,
  work: () => Promise<T>,
  label: (outcome: { value?: T; error?: unknown }) => Record<string, string>,
): Promise<T> {
  const startedAt = performance.now();
  try {
    const value = await work();
    histogram.observe((performance.now() - startedAt) / 1000, label({ value }));
    return value;
  } catch (error) {
    histogram.observe((performance.now() - startedAt) / 1000, label({ error }));
    throw error;
  }
}

const processGauges = {
  cpuUser: new Counter('process_cpu_user_seconds_total', 'User CPU time spent, seconds.'),
  cpuSystem: new Counter('process_cpu_system_seconds_total', 'System CPU time spent, seconds.'),
  resident: new Gauge('process_resident_memory_bytes', 'Resident memory size, bytes.'),
  heapUsed: new Gauge('nodejs_heap_used_bytes', 'V8 heap in use, bytes.'),
  heapTotal: new Gauge('nodejs_heap_size_total_bytes', 'V8 heap size, bytes.'),
  openFds: new Gauge('process_open_fds', 'Open file descriptors.'),
  startTime: new Gauge('process_start_time_seconds', 'Start time of the process since the epoch, seconds.'),
  connectedUnits: new Gauge('openaos_connected_units', 'Units whose channel this process holds now.'),
};
const startTimeSeconds = Math.round(Date.now() / 1000 - process.uptime());

/** Everything in the text format, with the process figures and `connectedUnits` read now. */
export async function renderCloudMetrics(connectedUnits: number): Promise<string> {
  const usage = process.cpuUsage();
  const memory = process.memoryUsage();
  // Counters only go up: set them to the process's totals by adding the difference.
  processGauges.cpuUser.inc({}, usage.user / 1e6 - processGauges.cpuUser.get());
  processGauges.cpuSystem.inc({}, usage.system / 1e6 - processGauges.cpuSystem.get());
  processGauges.resident.set(memory.rss);
  processGauges.heapUsed.set(memory.heapUsed);
  processGauges.heapTotal.set(memory.heapTotal);
  const fds = await readdir('/proc/self/fd').catch(() => undefined);
  if (fds) processGauges.openFds.set(fds.length);
  processGauges.startTime.set(startTimeSeconds);
  processGauges.connectedUnits.set(connectedUnits);
  return renderMetrics([...Object.values(processGauges), ...Object.values(cloudMetrics)]);
}
