import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createContextForActor } from '@openaos/api';
import { schema } from '@openaos/db';
import type { RolloutDetail, RolloutView } from './commands/rollout.js';
import { createSandbox, runAos } from './testing/capture-io.js';
import { startTestCloud, type TestCloud } from './testing/start-test-cloud.js';

describe('aos rollout start|list|show|pause|resume|abort against a real cloud core over HTTP', () => {
  let cloud: TestCloud;
  let sandbox: Awaited<ReturnType<typeof createSandbox>>;
  let oem: string[];
  let sp: string[];
  let serviceId: string;
  let subjectId: string;
  let versionId: string;
  let rolloutId: string;
  const aos = (args: string[]) => runAos(args, sandbox.env);
  const json = async <T>(args: string[]): Promise<T> => {
    const result = await aos([...args, '--json', ...oem]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as T;
  };

  beforeAll(async () => {
    cloud = await startTestCloud();
    sandbox = await createSandbox();
    const spUser = await cloud.addUser('sp', 'Roll Services', 'sp@roll.test');
    const oemUser = await cloud.addUser('oem', 'Roll Cars', 'oem@roll.test');
    await mkdir(sandbox.root, { recursive: true });
    await writeFile(join(sandbox.root, 'oem.p12'), oemUser.pkcs12);
    await writeFile(join(sandbox.root, 'sp.p12'), spUser.pkcs12);
    oem = ['--url', cloud.url, '--pkcs12', join(sandbox.root, 'oem.p12')];
    sp = ['--url', cloud.url, '--pkcs12', join(sandbox.root, 'sp.p12')];
    const oemCaller = createCaller(createContextForActor(cloud.core.deps, oemUser.actor));
    serviceId = (
      await createCaller(createContextForActor(cloud.core.deps, spUser.actor)).services.create({
        title: 'Rolled',
      })
    ).id;
    // Versions as an upload leaves them (the build itself is tested elsewhere): 1.0.0 released, 1.0.1 ready.
    const [released, ready] = await cloud.core.deps.db
      .insert(schema.serviceVersions)
      .values([
        { serviceId, version: '1.0.0', state: 'approved' as const },
        { serviceId, version: '1.0.1', state: 'ready' as const },
      ])
      .returning({ id: schema.serviceVersions.id });
    expect(released).toBeDefined();
    versionId = ready!.id;
    const unitIds: string[] = [];
    for (let index = 0; index < 4; index++)
      unitIds.push((await oemCaller.units.create({ systemId: `roll-${index}`, model: 'rpi4' })).id);
    subjectId = (await oemCaller.subjects.create({ name: 'roll fleet' })).id;
    await oemCaller.subjects.bind({ id: subjectId, serviceIds: [serviceId], unitIds });
  });
  afterAll(async () => {
    await cloud?.close();
    await sandbox?.cleanup();
  });

  it('refuses bad plan flags naming the flag and what to give, before calling the cloud', async () => {
    const cases: [string[], string][] = [
      [['--waves', '1%,ten%'], '--waves "1%,ten%": "ten%" is neither a percentage nor a unit count'],
      [['--soak', 'soon'], '--soak "soon" is not a duration'],
      [['--threshold', 'many'], '--threshold "many" is not a percentage'],
      [['--on-failure', 'retry'], '--on-failure "retry" is not pause or abort'],
      [['--min-units', '2.5'], '--min-units "2.5" is not a whole number'],
    ];
    for (const [flags, message] of cases) {
      const result = await aos(['rollout', 'start', versionId, '--subject', subjectId, ...flags, ...oem]);
      expect(result.code, flags.join(' ')).toBe(64);
      expect(result.stderr).toContain(message);
    }
    // The cloud checks the rest of the plan: waves that do not grow.
    const shrinking = await aos(['rollout', 'start', versionId, '--subject', subjectId, '--waves', '50%,10%', ...oem]);
    expect(shrinking.code).not.toBe(0);
    expect(shrinking.stderr).toContain('waves are cumulative');
    const [stored] = await cloud.core.deps.db
      .select()
      .from(schema.serviceVersions)
      .where(eq(schema.serviceVersions.id, versionId));
    expect(stored?.state).toBe('ready');
  });

  it('starts a rollout with a plan, and lists and shows it', async () => {
    const [started] = await json<RolloutDetail[]>([
      'rollout',
      'start',
      versionId,
      '--subject',
      subjectId,
      '--waves',
      '1,100%',
      '--soak',
      '10m',
      '--threshold',
      '25%',
      '--min-units',
      '2',
      '--on-failure',
      'abort',
      '--offline-timeout',
      '2h',
      '--active-timeout',
      '15m',
    ]);
    rolloutId = started!.id;
    expect(started).toMatchObject({ status: 'running', version: '1.0.1', wave: 1, waveCount: 2 });
    expect(started!.plan).toMatchObject({
      waves: [{ count: 1 }, { percent: 100 }],
      soakSeconds: 600,
      failureThresholdPercent: 25,
      failureMinUnits: 2,
      onFailure: 'abort',
      offlineTimeoutSeconds: 7200,
      activeTimeoutSeconds: 900,
    });
    expect(started!.waves.map((wave) => wave.units)).toEqual([1, 3]);
    const listed = await json<RolloutView[]>(['rollout', 'list', '--service', serviceId, '--active']);
    expect(listed.map((rollout) => rollout.id)).toEqual([rolloutId]);
    const human = await aos(['rollout', 'show', rolloutId, ...oem]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('1.0.1');
    expect(human.stdout).toMatch(/started/);
    // A second rollout of the service on the subject is refused, saying how to replace it.
    const again = await aos(['rollout', 'start', versionId, '--subject', subjectId, ...oem]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('start with --supersede to replace it');
  });

  it('pauses, resumes and aborts it, each recorded with who and why; refuses what the state forbids', async () => {
    const paused = await json<RolloutDetail>(['rollout', 'pause', rolloutId, '--reason', 'dashboards first']);
    expect(paused.status).toBe('paused');
    const twice = await aos(['rollout', 'pause', rolloutId, ...oem]);
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toMatch(/it is paused/);
    const resumed = await json<RolloutDetail>(['rollout', 'resume', rolloutId]);
    expect(resumed.status).toBe('running');
    const aborted = await json<RolloutDetail>(['rollout', 'abort', rolloutId, '--reason', 'wrong build']);
    expect(aborted.status).toBe('aborted');
    expect(aborted.events.map((event) => event.kind)).toEqual(
      expect.arrayContaining(['started', 'paused', 'resumed', 'aborted']),
    );
    expect(aborted.events.find((event) => event.kind === 'paused')?.reason).toMatch(
      /oem@roll\.test.*dashboards first|dashboards first.*oem@roll\.test/,
    );
    expect(aborted.events.find((event) => event.kind === 'aborted')?.reason).toContain('wrong build');
    const resumeAborted = await aos(['rollout', 'resume', rolloutId, ...oem]);
    expect(resumeAborted.code).not.toBe(0);
    expect(resumeAborted.stderr).toMatch(/aborted/);
    expect(await json<RolloutView[]>(['rollout', 'list', '--service', serviceId, '--active'])).toEqual([]);
  });

  it('approving a ready version starts a rollout with the default plan on the subject binding the service', async () => {
    const [next] = await cloud.core.deps.db
      .insert(schema.serviceVersions)
      .values({ serviceId, version: '1.0.2', state: 'ready' as const })
      .returning({ id: schema.serviceVersions.id });
    const approved = await json<{ state: string }>(['version', 'approve', next!.id]);
    expect(approved.state).toBe('approved');
    const [active] = await json<RolloutView[]>(['rollout', 'list', '--service', serviceId, '--active']);
    expect(active).toMatchObject({ version: '1.0.2', status: 'running' });
    const shown = await json<RolloutDetail>(['rollout', 'show', active!.id]);
    expect(shown.plan).toMatchObject({
      waves: [{ percent: 1 }, { percent: 10 }, { percent: 50 }, { percent: 100 }],
      soakSeconds: 300,
      onFailure: 'pause',
    });
    // The aborted 1.0.1 held its units: this rollout starts from what they had, 1.0.0.
    expect(shown.units.every((unit) => unit.fromVersion === '1.0.0')).toBe(true);
  });

  it('refuses an SP starting or steering a rollout, and an unknown rollout', async () => {
    const start = await aos(['rollout', 'start', versionId, '--subject', subjectId, ...sp]);
    expect(start.code).not.toBe(0);
    expect(start.stderr).toMatch(/oem/i);
    const pause = await aos(['rollout', 'pause', rolloutId, ...sp]);
    expect(pause.code).not.toBe(0);
    const unknown = await aos(['rollout', 'show', '00000000-0000-4000-8000-000000000000', ...oem]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/not found|no rollout/i);
  });
});
