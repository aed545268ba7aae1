/**
 * The accepted target: what the agent works toward, and the one writer of target.json.
 *
 * Invariants:
 * - target.json is written only by `acceptTarget`, in the process that runs the reconcile loop
 *   (the daemon, or an Agent in a test or bench). Other processes never write it: `aos-agent
 *   apply` hands its desired status over through the inbox (target-inbox.ts), and the loop
 *   accepts inbox entries oldest first at the start of each pass. One writer, so no lock.
 * - Accepts run one at a time, in call order (the inbox, the cloud link, tests); each merges the
 *   incoming status into the previous target (an absent list keeps the previous one) and is
 *   persisted (atomically) before it resolves and before anything acts on it, so a restarted
 *   agent continues toward the same target.
 * - The in-memory target is always what target.json holds: it is read once, at open.
 */
import { parseDesiredStatus, type DesiredStatus } from '../formats/desired-status.js';
import { readJsonFile, writeFileAtomic } from './atomic-write.js';

/** "If absent or null — do nothing": an absent list keeps the previous one (reference §5.1). */
export function mergeDesiredStatus(previous: DesiredStatus | undefined, incoming: DesiredStatus): DesiredStatus {
  return {
    ...incoming,
    services: incoming.services ?? previous?.services ?? [],
    instances: incoming.instances ?? previous?.instances ?? [],
  };
}

/** Read target.json (undefined when there is none yet); a damaged one fails with the schema's message. */
export async function readTargetFile(path: string): Promise<DesiredStatus | undefined> {
  const json = await readJsonFile<unknown>(path);
  return json === undefined ? undefined : parseDesiredStatus(json);
}

export class TargetStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    private desired: DesiredStatus | undefined,
  ) {}

  /** Open the store on target.json (at the agent's start). */
  static async open(path: string): Promise<TargetStore> {
    return new TargetStore(path, await readTargetFile(path));
  }

  /** The accepted target; undefined until a first desired status is accepted. */
  get current(): DesiredStatus | undefined {
    return this.desired;
  }

  /**
   * Accept a desired status: validated, merged into the previous target and persisted before it
   * resolves. Returns the new target. Rejects (changing nothing) when it does not validate.
   */
  acceptTarget(incoming: DesiredStatus): Promise<DesiredStatus> {
    const accepted = this.queue.then(async () => {
      const merged = mergeDesiredStatus(this.desired, parseDesiredStatus(incoming));
      await writeFileAtomic(this.path, JSON.stringify(merged, null, 1));
      this.desired = merged;
      return merged;
    });
    this.queue = accepted.catch(() => undefined);
    return accepted;
  }
}
