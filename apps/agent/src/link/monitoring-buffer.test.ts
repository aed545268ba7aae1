import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertsSchema, monitoringDataSchema, type Alert } from '@openaos/protocol/v7';
import type { V7MonitoringData } from './map-monitoring.js';
import { MonitoringBuffer, MonitoringOutbox } from './monitoring-buffer.js';

const at = (second: number) => new Date(Date.UTC(2026, 11, 5, 0, 0, second)).toISOString();
const sample = (second: number) => ({ timestamp: at(second), cpu: second, ram: second * 10 });

/** A batch of the node and one instance, a sample each at the given seconds. */
function batch(seconds: number[]): V7MonitoringData {
  return {
    messageType: 'monitoringData',
    nodes: [{ node: { codename: 'main' }, items: seconds.map(sample) }],
    instances: [
      {
        item: { id: '6c5c1a04-1b1e-4a07-a2d5-0fe0b4b09d3f' },
        subject: { id: '0e0b2f4c-8a51-4f55-9a43-2a8f0f8d7e11' },
        instance: 0,
        node: { codename: 'main' },
        itemStates: [],
        items: seconds.map(sample),
      },
    ],
  };
}

const stamps = (sent: V7MonitoringData[]) =>
  sent.flatMap((message) => [...message.nodes, ...(message.instances ?? [])].flatMap((s) => s.items.map((i) => i.cpu)));

describe('MonitoringBuffer', () => {
  it('holds batches in order and sends each once the previous was acknowledged', async () => {
    const buffer = new MonitoringBuffer(100);
    buffer.add(batch([1, 2]));
    buffer.add(batch([3]));
    const sent: V7MonitoringData[] = [];
    await buffer.flush(
      async (message) => void sent.push(message),
      async () => undefined,
      'main',
    );
    expect(stamps(sent)).toEqual([1, 2, 1, 2, 3, 3]);
    expect(buffer.isEmpty).toBe(true);
    expect(buffer.samples).toBe(0);
  });

  it('keeps a batch whose send failed and sends it first next time', async () => {
    const buffer = new MonitoringBuffer(100);
    buffer.add(batch([1]));
    buffer.add(batch([2]));
    let calls = 0;
    await expect(
      buffer.flush(
        async () => {
          calls += 1;
          throw new Error('connection lost');
        },
        async () => undefined,
        'main',
      ),
    ).rejects.toThrow('connection lost');
    expect(calls).toBe(1);
    buffer.add(batch([3]));
    const sent: V7MonitoringData[] = [];
    await buffer.flush(
      async (message) => void sent.push(message),
      async () => undefined,
      'main',
    );
    expect(stamps(sent)).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it('drops the oldest samples past its bound, counts them and reports them once as a systemAlert', async () => {
    const buffer = new MonitoringBuffer(5);
    expect(buffer.add(batch([1, 2]))).toBe(0); // 4 samples
    expect(buffer.add(batch([3, 4]))).toBe(3); // 8 → 5: both samples of second 1, one of second 2
    expect(buffer.samples).toBe(5);
    expect(buffer.droppedTotal).toBe(3);
    const sent: V7MonitoringData[] = [];
    const alerts: Alert[] = [];
    await buffer.flush(
      async (message) => void sent.push(message),
      async (alert) => void alerts.push(alert),
      'main',
    );
    const left = stamps(sent);
    expect(left.filter((second) => second === 1)).toEqual([]);
    expect(left.filter((second) => second === 2)).toHaveLength(1);
    expect(left.filter((second) => second >= 3)).toHaveLength(4);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ tag: 'systemAlert', node: { codename: 'main' } });
    expect((alerts[0] as { message: string }).message).toMatch(/^monitoring: 3 sample\(s\) dropped/);
    for (const message of sent) expect(monitoringDataSchema.safeParse(message).error).toBeUndefined();
    expect(alertsSchema.safeParse({ messageType: 'alerts', items: alerts }).error).toBeUndefined();
    // Reported once: the next flush sends no alert.
    buffer.add(batch([5]));
    await buffer.flush(
      async () => undefined,
      async (alert) => void alerts.push(alert),
      'main',
    );
    expect(alerts).toHaveLength(1);
  });

  it('refuses a bound below one sample', () => {
    expect(() => new MonitoringBuffer(0)).toThrow(/maxSamples must be a whole number of at least 1/);
  });
});

describe('MonitoringOutbox with a file', () => {
  it('keeps what the cloud has not acked across a restart, bounded, and starts empty from a bad file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'openaos-outbox-'));
    try {
      const file = join(directory, 'monitoring-outbox.json');
      const logged: string[] = [];
      const pending = [batch([1, 2]), batch([3])];
      const outbox = (maxSamples: number) =>
        new MonitoringOutbox({
          take: () => pending.shift(),
          channel: () => undefined,
          node: 'main',
          maxSamples,
          log: (message) => logged.push(message),
          file,
        });
      // Offline: a period's batch is taken, then the agent stops (taking the last one).
      const first = outbox(100);
      first.collect();
      await first.stop();
      expect(first.buffer.samples).toBe(6);
      // Restarted: the same samples, in order, and sent once the cloud is back.
      const second = outbox(100);
      expect(second.buffer.samples).toBe(6);
      expect(logged.at(-1)).toMatch(/6 monitoring sample\(s\) kept from before the restart/);
      const sent: V7MonitoringData[] = [];
      await second.buffer.flush(
        async (message) => void sent.push(message),
        async () => undefined,
        'main',
      );
      expect(stamps(sent)).toEqual([1, 2, 1, 2, 3, 3]);
      await second.save();
      // Nothing held: no file left behind.
      await expect(readFile(file, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });

      // A smaller bound after the restart: the oldest go, and are counted.
      pending.push(batch([4, 5, 6]));
      const third = outbox(100);
      await third.stop();
      const bounded = outbox(4);
      expect(bounded.buffer.samples).toBe(4);
      expect(bounded.buffer.droppedTotal).toBe(2);

      await writeFile(file, '{"batches": "nonsense"');
      const fresh = outbox(100);
      expect(fresh.buffer.samples).toBe(0);
      expect(logged.at(-1)).toMatch(/unreadable .* set aside as .*\.bad, starting empty/);
      expect(await readFile(`${file}.bad`, 'utf8')).toBe('{"batches": "nonsense"');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
