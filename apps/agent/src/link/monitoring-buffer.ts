/**
 * The link's monitoring outbox: every send period the monitor's samples become one v7
 * `monitoringData` batch, kept here until the cloud acknowledged it.
 *
 * Invariants:
 * - Batches go in the order they were taken, one at a time; a batch leaves the buffer only when
 *   the cloud acked it, so a lost connection resends it (the cloud ignores samples it has).
 * - At most `maxSamples` samples are held; past that the oldest go first, and how many were
 *   dropped is counted, logged, and told to the cloud as a `systemAlert` once it is reachable
 *   (v7 `monitoringData` has no field for it).
 * - Batches are taken whether the cloud is reachable or not: the monitor's own buffer never
 *   overflows silently.
 * - With a `file`, what is held survives an agent restart: the file is rewritten (a temporary
 *   file renamed over it) after every change, one write at a time, and read back at start. It is
 *   bounded as the buffer is (at most `maxSamples` samples); an unreadable file is set aside
 *   (`.bad`), logged, and the outbox starts empty.
 */
import { readFileSync, renameSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import type { Alert, UnitChannel } from '@openaos/protocol/v7';
import type { V7MonitoringData } from './map-monitoring.js';

/** Samples held while the cloud is away by default: ~5 hours of a node and four instances at the default poll. */
export const DEFAULT_MONITORING_BUFFER_SAMPLES = 10_000;

type SeriesEntry = { items: { timestamp: string }[] };

function seriesOf(batch: V7MonitoringData): SeriesEntry[] {
  return [...batch.nodes, ...(batch.instances ?? [])];
}

function countSamples(batch: V7MonitoringData): number {
  return seriesOf(batch).reduce((sum, series) => sum + series.items.length, 0);
}

export interface MonitoringBufferSnapshot {
  batches: V7MonitoringData[];
  droppedUnreported: number;
}

function isSnapshot(value: unknown): value is MonitoringBufferSnapshot {
  const candidate = value as Partial<MonitoringBufferSnapshot> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    Array.isArray(candidate.batches) &&
    candidate.batches.every(
      (batch) =>
        Array.isArray((batch as Partial<V7MonitoringData>).nodes) &&
        [...batch.nodes, ...(batch.instances ?? [])].every((series) => Array.isArray(series.items)),
    ) &&
    Number.isInteger(candidate.droppedUnreported)
  );
}

export class MonitoringBuffer {
  private readonly batches: V7MonitoringData[] = [];
  private held = 0;
  private droppedUnreported = 0;
  /** Every sample dropped since the agent started. */
  droppedTotal = 0;

  constructor(readonly maxSamples: number = DEFAULT_MONITORING_BUFFER_SAMPLES) {
    if (!Number.isInteger(maxSamples) || maxSamples < 1)
      throw new RangeError(`monitoring buffer: maxSamples must be a whole number of at least 1, not ${maxSamples}`);
  }

  /** What a restarted agent needs to go on: the batches not yet acked, the drops not yet told. */
  snapshot(): MonitoringBufferSnapshot {
    return { batches: this.batches, droppedUnreported: this.droppedUnreported };
  }

  /** Take back a snapshot (a restart): its batches as if just added (so the bound holds), its drops. */
  restore(snapshot: MonitoringBufferSnapshot): void {
    for (const batch of snapshot.batches) this.add(batch);
    this.droppedUnreported += snapshot.droppedUnreported;
  }

  /** Samples held now. */
  get samples(): number {
    return this.held;
  }

  get isEmpty(): boolean {
    return this.batches.length === 0;
  }

  /** Append a batch; drop the oldest samples past the bound. Returns how many this call dropped. */
  add(batch: V7MonitoringData): number {
    const count = countSamples(batch);
    if (count === 0) return 0;
    this.batches.push(batch);
    this.held += count;
    let dropped = 0;
    while (this.held > this.maxSamples) {
      const oldest = this.batches[0];
      if (!oldest) break;
      dropped += this.dropOldest(oldest, this.held - this.maxSamples);
      if (countSamples(oldest) === 0) this.batches.shift();
    }
    this.droppedUnreported += dropped;
    this.droppedTotal += dropped;
    return dropped;
  }

  /** Drop up to `excess` samples of the batch, oldest timestamps first. */
  private dropOldest(batch: V7MonitoringData, excess: number): number {
    const stamps = seriesOf(batch)
      .flatMap((series) => series.items.map((item) => item.timestamp))
      .sort();
    const cut = stamps[Math.min(excess, stamps.length) - 1];
    if (cut === undefined) return 0;
    let left = Math.min(excess, stamps.length);
    // Samples strictly older than the cut first, then as many at the cut as are still needed.
    for (const pass of ['older', 'equal'] as const) {
      for (const series of seriesOf(batch)) {
        series.items = series.items.filter((item) => {
          const isVictim = pass === 'older' ? item.timestamp < cut : item.timestamp === cut;
          if (left > 0 && isVictim) {
            left -= 1;
            return false;
          }
          return true;
        });
      }
    }
    const dropped = Math.min(excess, stamps.length) - left;
    this.held -= dropped;
    return dropped;
  }

  /**
   * Send the batches in order with `send` (resolves on the cloud's ack), then the drop report.
   * Stops at the first failure, keeping that batch; resolves either way.
   */
  async flush(
    send: (batch: V7MonitoringData) => Promise<void>,
    sendAlert: (alert: Alert) => Promise<void>,
    node: string,
  ): Promise<void> {
    for (let batch = this.batches[0]; batch; batch = this.batches[0]) {
      await send(batch);
      // Only now: a batch trimmed while it was on the wire is removed as it is.
      if (this.batches[0] === batch) {
        this.batches.shift();
        this.held -= countSamples(batch);
      }
    }
    if (this.droppedUnreported === 0) return;
    const dropped = this.droppedUnreported;
    await sendAlert({
      timestamp: new Date().toISOString(),
      tag: 'systemAlert',
      node: { codename: node },
      message: `monitoring: ${dropped} sample(s) dropped, oldest first, while the cloud was unreachable (the agent holds at most ${this.maxSamples}; set --monitoring-buffer to hold more)`,
    });
    this.droppedUnreported -= dropped;
  }
}

export interface MonitoringOutboxOptions {
  /** The monitor's samples since the last call, in v7 form (undefined: none). */
  take: () => V7MonitoringData | undefined;
  /** The open channel to the cloud, if any. */
  channel: () => UnitChannel | undefined;
  /** The send period (default 60 s). */
  periodMs?: number | undefined;
  maxSamples?: number | undefined;
  node: string;
  log: (message: string) => void;
  /** Where the outbox is kept across restarts (the agent's storage); none: in memory only. */
  file?: string | undefined;
}

/** Takes a batch every period into a {@link MonitoringBuffer} and flushes it whenever the cloud is reachable. */
export class MonitoringOutbox {
  readonly buffer: MonitoringBuffer;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly options: MonitoringOutboxOptions) {
    this.buffer = new MonitoringBuffer(options.maxSamples ?? DEFAULT_MONITORING_BUFFER_SAMPLES);
    if (options.file) this.load(options.file);
  }

  private load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.options.log(
          `cloud link: reading the monitoring outbox ${file}: ${(error as Error).message}; starting empty`,
        );
      return;
    }
    try {
      const snapshot: unknown = JSON.parse(text);
      if (!isSnapshot(snapshot)) throw new Error('not a monitoring outbox');
      this.buffer.restore(snapshot);
      if (this.buffer.samples > 0)
        this.options.log(`cloud link: ${this.buffer.samples} monitoring sample(s) kept from before the restart`);
    } catch (error) {
      this.options.log(
        `cloud link: the monitoring outbox ${file} is unreadable (${(error as Error).message}); set aside as ${file}.bad, starting empty`,
      );
      try {
        renameSync(file, `${file}.bad`);
      } catch {
        // Nothing to set aside.
      }
    }
  }

  /** Write what is held now (after the writes before it); resolves when written. Never rejects. */
  save(): Promise<void> {
    const file = this.options.file;
    if (!file) return Promise.resolve();
    this.saving = this.saving.then(async () => {
      try {
        const snapshot = this.buffer.snapshot();
        if (snapshot.batches.length === 0 && snapshot.droppedUnreported === 0) {
          await rm(file, { force: true });
          return;
        }
        await writeFile(`${file}.tmp`, JSON.stringify(snapshot));
        await rename(`${file}.tmp`, file);
      } catch (error) {
        this.options.log(`cloud link: saving the monitoring outbox ${file}: ${(error as Error).message}`);
      }
    });
    return this.saving;
  }

  start(): void {
    this.timer ??= setInterval(() => this.collect(), this.options.periodMs ?? 60_000);
  }

  /** Stop taking batches; with a file, the samples since the last period are kept in it too. */
  stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    if (!this.options.file) return Promise.resolve();
    try {
      const batch = this.options.take();
      if (batch) this.buffer.add(batch);
    } catch (error) {
      this.options.log(`cloud link: monitoring data: ${error instanceof Error ? error.message : String(error)}`);
    }
    return this.save();
  }

  /** Take the monitor's samples now, then flush. Never throws. */
  collect(): void {
    try {
      const batch = this.options.take();
      const dropped = batch ? this.buffer.add(batch) : 0;
      if (dropped > 0)
        this.options.log(
          `cloud link: monitoring buffer full (${this.buffer.maxSamples} samples): dropped the ${dropped} oldest (${this.buffer.droppedTotal} since start)`,
        );
    } catch (error) {
      this.options.log(`cloud link: monitoring data: ${error instanceof Error ? error.message : String(error)}`);
    }
    void this.save();
    void this.flush();
  }

  /** Send what is buffered, in order, if the cloud is reachable and no flush is running. Never rejects. */
  flush(): Promise<void> {
    const channel = this.options.channel();
    if (this.flushing || !channel || channel.stats().state !== 'open') return this.flushing ?? Promise.resolve();
    this.flushing = this.buffer
      .flush(
        (batch) => channel.send(batch),
        (alert) => channel.send({ messageType: 'alerts', items: [alert] }),
        this.options.node,
      )
      .catch((error: unknown) =>
        this.options.log(
          `cloud link: sending monitoring data (kept, sent again on the next period or connection): ${error instanceof Error ? error.message : String(error)}`,
        ),
      )
      .finally(() => {
        this.flushing = undefined;
        void this.save();
      });
    return this.flushing;
  }
}
