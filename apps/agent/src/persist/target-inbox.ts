/**
 * The inbox: how a process other than the daemon (`aos-agent apply`) hands it a desired status,
 * so that target.json keeps its one writer (target-store.ts).
 *
 * An entry is `<ms since epoch, 15 digits>-<pid>-<random>.json`, written atomically (a dot-named
 * temp file renamed into place), so name order is arrival order and a half-written entry is
 * never seen. The daemon accepts entries oldest first and deletes each after accepting it; a
 * crash in between accepts it again, which changes nothing (accepting is idempotent). An entry
 * that does not validate is renamed to `<entry>.refused` holding the reason.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DesiredStatus } from '../formats/desired-status.js';
import { describeError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';

const ENTRY = /^\d{15}-\d+-[0-9a-f]+\.json$/;
export const REFUSED_SUFFIX = '.refused';

/** Put a desired status in the inbox for the daemon to accept; returns the entry's path. */
export async function handOverTarget(inbox: string, desired: DesiredStatus): Promise<string> {
  await mkdir(inbox, { recursive: true });
  const name = `${String(Date.now()).padStart(15, '0')}-${process.pid}-${randomBytes(4).toString('hex')}.json`;
  const path = join(inbox, name);
  await writeFileAtomic(path, JSON.stringify(desired));
  return path;
}

/** Entries waiting to be accepted, oldest first. */
export async function listInbox(inbox: string): Promise<string[]> {
  const names = await readdir(inbox).catch(() => [] as string[]);
  return names
    .filter((name) => ENTRY.test(name))
    .sort()
    .map((name) => join(inbox, name));
}

/**
 * Accept every waiting entry, oldest first, with `accept` (the daemon's acceptTarget); returns
 * how many were accepted. An entry that is not JSON or that `accept` refuses is set aside as
 * `<entry>.refused` with the reason, and the others are still accepted.
 */
export async function acceptInbox(
  inbox: string,
  accept: (desired: DesiredStatus) => Promise<unknown>,
  log: (message: string) => void,
): Promise<number> {
  let accepted = 0;
  for (const entry of await listInbox(inbox)) {
    try {
      await accept(JSON.parse(await readFile(entry, 'utf8')) as DesiredStatus);
      accepted += 1;
    } catch (error) {
      log(`refusing ${entry}: ${describeError(error)}`);
      await writeFileAtomic(entry + REFUSED_SUFFIX, describeError(error)).catch(() => undefined);
    }
    await rm(entry, { force: true });
  }
  return accepted;
}

/**
 * What became of an entry: `waiting`, `accepted`, or `refused` with the daemon's reason. The
 * daemon writes the reason before it deletes the entry, so a deleted entry without one was
 * accepted. Accepted and refused are final; the caller polls until one of them.
 */
export async function readInboxOutcome(
  entry: string,
): Promise<{ state: 'waiting' } | { state: 'accepted' } | { state: 'refused'; reason: string }> {
  const isWaiting = await access(entry).then(
    () => true,
    () => false,
  );
  if (isWaiting) return { state: 'waiting' };
  const reason = await readFile(entry + REFUSED_SUFFIX, 'utf8').catch(() => undefined);
  if (reason === undefined) return { state: 'accepted' };
  await rm(entry + REFUSED_SUFFIX, { force: true });
  return { state: 'refused', reason };
}
