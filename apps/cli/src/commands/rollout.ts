import { callCloud, createCloudClient, type CloudInputs, type CloudOutputs } from '../cloud/cloud-client.js';
import { resolveCloudTarget, type CloudTargetOptions } from '../cloud/cloud-settings.js';
import { CliError } from '../errors.js';

export type RolloutView = CloudOutputs['rollouts']['list'][number];
export type RolloutDetail = CloudOutputs['rollouts']['show'];
export type RolloutPlanInput = NonNullable<CloudInputs['rollouts']['start']['plan']>;

/** The plan options of `aos rollout start`, as typed on the command line. */
export interface RolloutPlanFlags {
  waves?: string;
  soak?: string;
  minHealthy?: string;
  threshold?: string;
  minUnits?: string;
  onFailure?: string;
  offlineTimeout?: string;
  activeTimeout?: string;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

function usage(action: string, message: string, hint: string): CliError {
  return new CliError('usage', action, message, { hint });
}

/** `30s`, `5m`, `1h`, `2d` or whole seconds. */
export function parseDuration(value: string, flag: string, action: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!match)
    throw usage(
      action,
      `${flag} "${value}" is not a duration`,
      `give whole seconds or a number with s, m, h or d, e.g. ${flag} 5m`,
    );
  return Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1);
}

function parseWhole(value: string, flag: string, action: string): number {
  if (!/^\d+$/.test(value.trim())) throw usage(action, `${flag} "${value}" is not a whole number`, `e.g. ${flag} 5`);
  return Number(value);
}

/** `1%,10%,50%,100%` (cumulative percentages) or `1,5,20` (cumulative unit counts), or a mix. */
export function parseWaves(value: string, action: string): RolloutPlanInput['waves'] {
  return value.split(',').map((part) => {
    const text = part.trim();
    const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
    if (percent) return { percent: Number(percent[1]) };
    if (/^\d+$/.test(text)) return { count: Number(text) };
    throw usage(
      action,
      `--waves "${value}": "${text}" is neither a percentage nor a unit count`,
      'give cumulative wave sizes separated by commas, e.g. --waves 1%,10%,50%,100% or --waves 1,10,100',
    );
  });
}

/** The plan fields given on the command line (the cloud fills in the rest from its defaults). */
export function parsePlanFlags(flags: RolloutPlanFlags, action: string): RolloutPlanInput {
  const plan: RolloutPlanInput = {};
  if (flags.waves !== undefined) plan.waves = parseWaves(flags.waves, action);
  if (flags.soak !== undefined) plan.soakSeconds = parseDuration(flags.soak, '--soak', action);
  if (flags.minHealthy !== undefined) plan.minHealthyUnits = parseWhole(flags.minHealthy, '--min-healthy', action);
  if (flags.threshold !== undefined) {
    const match = /^(\d+(?:\.\d+)?)%?$/.exec(flags.threshold.trim());
    if (!match) throw usage(action, `--threshold "${flags.threshold}" is not a percentage`, 'e.g. --threshold 10%');
    plan.failureThresholdPercent = Number(match[1]);
  }
  if (flags.minUnits !== undefined) plan.failureMinUnits = parseWhole(flags.minUnits, '--min-units', action);
  if (flags.onFailure !== undefined) {
    if (flags.onFailure !== 'pause' && flags.onFailure !== 'abort')
      throw usage(
        action,
        `--on-failure "${flags.onFailure}" is not pause or abort`,
        'give --on-failure pause or --on-failure abort',
      );
    plan.onFailure = flags.onFailure;
  }
  if (flags.offlineTimeout !== undefined)
    plan.offlineTimeoutSeconds = parseDuration(flags.offlineTimeout, '--offline-timeout', action);
  if (flags.activeTimeout !== undefined)
    plan.activeTimeoutSeconds = parseDuration(flags.activeTimeout, '--active-timeout', action);
  return plan;
}

/** Start a rollout of a version on the subjects given (default: every subject of yours that binds the service). */
export async function runRolloutStart(
  options: CloudTargetOptions & {
    versionId: string;
    subjectIds?: string[];
    plan: RolloutPlanInput;
    supersede?: boolean;
  },
): Promise<RolloutDetail[]> {
  const action = `starting a rollout of version ${options.versionId}`;
  const target = await resolveCloudTarget({ ...options, role: 'oem' }, action);
  return callCloud(action, target.url, () =>
    createCloudClient(target).rollouts.start.mutate({
      versionId: options.versionId,
      ...(options.subjectIds && options.subjectIds.length > 0 && { subjectIds: options.subjectIds }),
      ...(Object.keys(options.plan).length > 0 && { plan: options.plan }),
      ...(options.supersede && { supersede: true }),
    }),
  );
}

/** Rollouts you may see, newest first. */
export async function runRolloutList(
  options: CloudTargetOptions & { serviceId?: string; isActive?: boolean },
): Promise<RolloutView[]> {
  const action = 'listing rollouts';
  const target = await resolveCloudTarget({ ...options, role: options.role ?? 'oem' }, action);
  return callCloud(action, target.url, () =>
    createCloudClient(target).rollouts.list.query({
      ...(options.serviceId && { serviceId: options.serviceId }),
      ...(options.isActive && { isActive: true }),
    }),
  );
}

export async function runRolloutShow(options: CloudTargetOptions & { id: string }): Promise<RolloutDetail> {
  const action = `showing rollout ${options.id}`;
  const target = await resolveCloudTarget({ ...options, role: options.role ?? 'oem' }, action);
  return callCloud(action, target.url, () => createCloudClient(target).rollouts.show.query({ id: options.id }));
}

/** Pause, resume or abort a rollout (OEM), with an optional reason recorded in its history. */
export async function runRolloutControl(
  options: CloudTargetOptions & { id: string; command: 'pause' | 'resume' | 'abort'; reason?: string },
): Promise<RolloutDetail> {
  const doing = { pause: 'pausing', resume: 'resuming', abort: 'aborting' }[options.command];
  const action = `${doing} rollout ${options.id}`;
  const target = await resolveCloudTarget({ ...options, role: 'oem' }, action);
  const input = { id: options.id, ...(options.reason && { reason: options.reason }) };
  const client = createCloudClient(target);
  return callCloud(action, target.url, () =>
    options.command === 'pause'
      ? client.rollouts.pause.mutate(input)
      : options.command === 'resume'
        ? client.rollouts.resume.mutate(input)
        : client.rollouts.abort.mutate(input),
  );
}
