import type { UnitStatus } from '../formats/unit-status.js';
import { computeStatusDelta, type AgentEvents } from '../events.js';
import { writeFileAtomic } from '../persist/atomic-write.js';
import { buildUnitStatus, type StatusInput } from './build-unit-status.js';

/**
 * Status output: builds the unitStatus from a pass's observation and, when it differs from the
 * last one, tells subscribers (full and delta) and rewrites status.json (read by `aos-agent
 * status` and `apply --wait` in other processes).
 */
export class StatusPublisher {
  private last: UnitStatus | undefined;
  private lastText = '';

  constructor(
    private readonly statusPath: string,
    private readonly nodeId: string,
    private readonly events: AgentEvents,
  ) {}

  /** The last published status; undefined before the first. */
  get latest(): UnitStatus | undefined {
    return this.last;
  }

  /** Build the status of this observation; publish it when it changed. Returns it. */
  async publish(input: Omit<StatusInput, 'nodeId'>): Promise<UnitStatus> {
    const status = buildUnitStatus({ nodeId: this.nodeId, ...input });
    const text = JSON.stringify(status, null, 1);
    if (text === this.lastText) return status;
    const previous = this.last;
    this.last = status;
    this.lastText = text;
    this.events.emit('onStatus', status, computeStatusDelta(previous, status));
    await writeFileAtomic(this.statusPath, text);
    return status;
  }
}
