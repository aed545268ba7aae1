import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createContextForActor, recordMonitoring } from '@openaos/api';
import { createSandbox, runAos } from '../testing/capture-io.js';
import { startTestCloud, type TestCloud } from '../testing/start-test-cloud.js';
import type { MetricsResult } from './metrics.js';
import { sparkline } from './metrics.js';

describe('aos metrics against a real cloud core over HTTP', () => {
  let cloud: TestCloud;
  let sandbox: Awaited<ReturnType<typeof createSandbox>>;
  let oem: string[];
  let sp: string[];
  let otherSp: string[];
  let serviceId: string;

  beforeAll(async () => {
    cloud = await startTestCloud();
    sandbox = await createSandbox();
    const spUser = await cloud.addUser('sp', 'Acme Services', 'sp@acme.test');
    const otherSpUser = await cloud.addUser('sp', 'Other Services', 'sp@other.test');
    const oemUser = await cloud.addUser('oem', 'Acme Cars', 'oem@acme.test');
    await mkdir(sandbox.root, { recursive: true });
    for (const [name, user] of [
      ['oem', oemUser],
      ['sp', spUser],
      ['other', otherSpUser],
    ] as const)
      await writeFile(join(sandbox.root, `${name}.p12`), user.pkcs12);
    const flags = (name: string) => ['--url', cloud.url, '--pkcs12', join(sandbox.root, `${name}.p12`)];
    [oem, sp, otherSp] = [flags('oem'), flags('sp'), flags('other')];
    const unit = await createCaller(createContextForActor(cloud.core.deps, oemUser.actor)).units.create({
      systemId: 'car-0001',
      model: 'rpi4',
    });
    serviceId = (
      await createCaller(createContextForActor(cloud.core.deps, spUser.actor)).services.create({ title: 'Hello' })
    ).id;
    const now = Date.now();
    const items = (ram: number) =>
      [3, 2, 1].map((minutes) => ({
        timestamp: new Date(now - minutes * 60_000).toISOString(),
        cpu: 10 * minutes,
        ram: ram * minutes,
        partitions: [{ name: 'storage', usedSize: 4096 }],
      }));
    await recordMonitoring(cloud.core.deps.db, unit.id, {
      messageType: 'monitoringData',
      nodes: [{ node: { codename: 'main' }, items: items(1024 * 1024) }],
      instances: [
        {
          item: { id: serviceId },
          subject: { id: '0e0b2f4c-8a51-4f55-9a43-2a8f0f8d7e11' },
          instance: 0,
          node: { codename: 'main' },
          itemStates: [],
          items: items(1024),
        },
      ],
    });
  });
  afterAll(async () => {
    await cloud?.close();
    await sandbox?.cleanup();
  });

  it('shows the unit and its instances to the OEM, as text with sparklines and as JSON', async () => {
    const human = await runAos(['metrics', '--unit', 'car-0001', ...oem], sandbox.env);
    expect(human.stderr).toBe('');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^unit car-0001: .* points of 10 s \(raw\)$/m);
    expect(human.stdout).toContain('unit node main');
    expect(human.stdout).toContain(
      `service Hello (${serviceId}), subject 0e0b2f4c-8a51-4f55-9a43-2a8f0f8d7e11, instance 0`,
    );
    expect(human.stdout).toMatch(/^ {2}ram {6}█▆▃ {2}now 1\.0 MiB {2}avg 2\.0 MiB {2}max 3\.0 MiB$/m);
    const json = await runAos(['metrics', '--unit', 'car-0001', '--since', '1d', '--json', ...oem], sandbox.env);
    const result = JSON.parse(json.stdout) as MetricsResult;
    expect(result.source).toBe('five-minute averages');
    expect(result.series.map((series) => series.kind)).toEqual(['node', 'instance']);
  });

  it('shows an SP its own service only, and refuses another SP and a bad --since', async () => {
    const mine = JSON.parse(
      (await runAos(['metrics', '--unit', 'car-0001', '--service', serviceId, '--json', ...sp], sandbox.env)).stdout,
    ) as MetricsResult;
    expect(mine.series.map((series) => series.serviceId)).toEqual([serviceId]);
    const theirs = await runAos(['metrics', '--unit', 'car-0001', ...otherSp], sandbox.env);
    expect(theirs.code).not.toBe(0);
    expect(theirs.stderr).toMatch(/unit car-0001 was not found, or you have no access to it/);
    const bad = await runAos(['metrics', '--unit', 'car-0001', '--since', 'yesterday', ...oem], sandbox.env);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('--since "yesterday" is not a span from 1 minute to 31 days');
  });

  it('draws sparklines against the larger of the peak and the limit', () => {
    expect(sparkline([0, 50, 100])).toBe('▁▅█');
    expect(sparkline([0, 50, 100], 200)).toBe('▁▃▅');
  });
});
