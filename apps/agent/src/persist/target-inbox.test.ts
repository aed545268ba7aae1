import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DesiredStatus } from '../formats/desired-status.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acceptInbox, handOverTarget, listInbox, readInboxOutcome } from './target-inbox.js';
import { readTargetFile, TargetStore } from './target-store.js';

const digest = (c: string) => 'sha256:' + c.repeat(64);
const service = (version: string, c: string) => ({ id: 's', version, manifestDigest: digest(c), urls: [] });

describe('the target inbox and acceptTarget', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openaos-target-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts handed-over statuses oldest first into target.json, merging absent lists, and empties the inbox', async () => {
    const inbox = join(dir, 'inbox');
    const store = await TargetStore.open(join(dir, 'target.json'));
    const first = await handOverTarget(inbox, {
      messageType: 'desiredStatus',
      services: [service('1.0.0', 'a')],
      instances: [{ serviceId: 's', subjectId: 'x', priority: 0, numInstances: 2 }],
    });
    const second = await handOverTarget(inbox, { messageType: 'desiredStatus', services: [service('2.0.0', 'b')] });
    expect(await listInbox(inbox)).toEqual([first, second]);
    expect(await readInboxOutcome(first)).toEqual({ state: 'waiting' });

    expect(
      await acceptInbox(
        inbox,
        (desired) => store.acceptTarget(desired),
        () => undefined,
      ),
    ).toBe(2);
    const expected = {
      messageType: 'desiredStatus',
      services: [service('2.0.0', 'b')],
      instances: [{ serviceId: 's', subjectId: 'x', priority: 0, numInstances: 2 }],
    };
    expect(store.current).toEqual(expected);
    expect(await readTargetFile(join(dir, 'target.json'))).toEqual(expected);
    expect(await readdir(inbox)).toEqual([]);
    expect(await readInboxOutcome(first)).toEqual({ state: 'accepted' });
    // A reopened store reads what was accepted.
    expect((await TargetStore.open(join(dir, 'target.json'))).current).toEqual(expected);
  });

  it('sets aside an entry that does not validate with the reason, and still accepts the next', async () => {
    const inbox = join(dir, 'inbox');
    const store = await TargetStore.open(join(dir, 'target.json'));
    const bad = await handOverTarget(inbox, { messageType: 'desiredStatus', services: [{ id: 's' }] } as DesiredStatus);
    const good = await handOverTarget(inbox, { messageType: 'desiredStatus', services: [service('1.0.0', 'a')] });
    const logged: string[] = [];
    expect(
      await acceptInbox(
        inbox,
        (desired) => store.acceptTarget(desired),
        (line) => logged.push(line),
      ),
    ).toBe(1);
    expect(logged).toEqual([expect.stringMatching(/^refusing .*: .*version/)]);
    const outcome = await readInboxOutcome(bad);
    expect(outcome).toMatchObject({ state: 'refused', reason: expect.stringMatching(/version/) });
    expect(await readInboxOutcome(good)).toEqual({ state: 'accepted' });
    expect(store.current?.services).toEqual([service('1.0.0', 'a')]);
  });
});
