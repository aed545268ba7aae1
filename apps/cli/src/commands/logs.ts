/**
 * `aos logs <service-id> [--unit <systemId>] [--subject <id>] [--instance n] [--since 1h] [--until …] [-f] [--json]`
 * and `aos logs --agent --unit <systemId>`: what an instance (or a unit's agent) printed, read
 * from the unit through the cloud (`GET /api/logs`, docs/logs.md). `-f` follows new lines and
 * survives a dropped connection: it reconnects and continues after the last line it printed.
 */
import type { Command } from 'commander';
import { withOutputOptions, type CommandContext } from '../command-context.js';
import type { CloudTarget, CloudTargetOptions } from '../cloud/cloud-settings.js';
import { CliError } from '../errors.js';

export interface LogsOptions extends CloudTargetOptions {
  serviceId?: string | undefined;
  systemId?: string | undefined;
  subjectId?: string | undefined;
  instance?: number | undefined;
  agent?: boolean | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  follow?: boolean | undefined;
  /** With `follow`: start this many lines back (default 10). */
  tail?: number | undefined;
  /** Print NDJSON records instead of the lines. */
  json?: boolean | undefined;
  /** Where lines go (stdout) and notes (stderr). */
  write: (text: string) => void;
  note: (text: string) => void;
  /** Ends a follow (Ctrl-C); default: never. */
  signal?: AbortSignal | undefined;
  /** First reconnect delay of a follow (doubles up to 10 s). Default 500 ms. */
  reconnectDelayMs?: number | undefined;
}

/** The cloud answered with an error status. */
class LogsRefusal extends CliError {
  constructor(
    readonly status: number,
    action: string,
    message: string,
    hint: string | undefined,
  ) {
    super('failed', action, message, hint === undefined ? {} : { hint });
  }
}

interface FollowState {
  position: string | undefined;
  /** The cloud accepted the follow once: from then on, connection problems are waited out. */
  hasConnected: boolean;
}

/** Print a log range, or follow an instance's log until `signal` aborts or the unit ends it. */
export async function runLogs(options: LogsOptions): Promise<void> {
  const action = options.agent
    ? `reading the agent log of ${options.systemId ?? '?'}`
    : `reading the log of ${options.serviceId ?? '?'}`;
  if (!options.agent && !options.serviceId)
    throw new CliError('usage', action, 'give the service ID (aos logs <service-id>), or --agent --unit <systemId>');
  if (options.agent && options.follow)
    throw new CliError('usage', action, '-f follows an instance log; the agent log is read as a range');
  // The credentials and the cloud's HTTP contract load here, not when the command line is defined.
  const { resolveCloudTarget } = await import('../cloud/cloud-settings.js');
  const target = await resolveCloudTarget({ ...options, role: options.agent ? 'oem' : 'sp' }, action);
  if (!options.follow) return printRange(target, options, action);
  const state: FollowState = { position: undefined, hasConnected: false };
  let delay = options.reconnectDelayMs ?? 500;
  while (!options.signal?.aborted) {
    const isReconnect = state.hasConnected;
    try {
      const isEnded = await followOnce(target, options, action, state, isReconnect);
      if (isEnded) return;
      delay = options.reconnectDelayMs ?? 500;
    } catch (error) {
      if (options.signal?.aborted) return;
      // The first answer decides: a refusal (not found, offline, forbidden) is final. Later, only
      // an offline unit (503) or a lost connection is waited out.
      const isFinal = error instanceof LogsRefusal ? error.status !== 503 : !(error instanceof CliError);
      if (!state.hasConnected || isFinal) throw error;
      options.note(`aos logs: ${(error as Error).message}; reconnecting in ${(delay / 1000).toFixed(1)} s`);
    }
    await sleep(delay, options.signal);
    delay = Math.min(delay * 2, 10_000);
  }
}

async function logsUrl(
  target: CloudTarget,
  options: LogsOptions,
  extra: Record<string, string | undefined>,
): Promise<URL> {
  const { CLOUD_HTTP_PATHS } = await import('@openaos/protocol');
  const url = new URL(`${target.url}${CLOUD_HTTP_PATHS.logs}`);
  const params: Record<string, string | undefined> = {
    service: options.serviceId,
    unit: options.systemId,
    subject: options.subjectId,
    instance: options.instance?.toString(),
    agent: options.agent ? '1' : undefined,
    ...extra,
  };
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url;
}

async function request(target: CloudTarget, url: URL, action: string, signal?: AbortSignal): Promise<Response> {
  const { createCertificateToken, formatCertificateAuthorization } = await import('@openaos/protocol');
  const token = createCertificateToken(target.credential, { method: 'GET', path: url.pathname });
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: formatCertificateAuthorization(token) }, signal });
  } catch (error) {
    throw new CliError('failed', action, `cannot reach ${target.url}: ${describeCause(error)}`, {
      cause: error,
      hint: 'check the address (`aos login --url <cloud URL>`) and that the cloud is running',
    });
  }
  if (response.ok) return response;
  const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
  throw new LogsRefusal(
    response.status,
    action,
    `${body.message ?? response.statusText} (${body.code ?? 'error'}, HTTP ${response.status})`,
    hintFor(response.status),
  );
}

async function printRange(target: CloudTarget, options: LogsOptions, action: string): Promise<void> {
  const url = await logsUrl(target, options, {
    since: options.since?.toISOString(),
    until: options.until?.toISOString(),
  });
  const response = await request(target, url, action, options.signal);
  for await (const line of readLines(response)) {
    if (!line) continue;
    const record = JSON.parse(line) as {
      lines?: string[];
      isPartial?: boolean;
      done?: boolean;
      error?: { code: string; message: string };
    };
    if (record.error) throw new CliError('failed', action, `${record.error.message} (${record.error.code})`);
    if (record.done) return;
    for (const text of record.lines ?? [])
      options.write(options.json ? `${JSON.stringify({ line: text })}\n` : `${text}\n`);
  }
  throw new CliError('failed', action, 'the cloud ended the log before its end; run the command again');
}

/** One connection of a follow; true when the unit ended the follow (nothing more will come). */
async function followOnce(
  target: CloudTarget,
  options: LogsOptions,
  action: string,
  state: FollowState,
  isReconnect: boolean,
): Promise<boolean> {
  const url = await logsUrl(target, options, {
    follow: '1',
    ...(state.position !== undefined ? { from: state.position } : { tail: String(options.tail ?? 10) }),
  });
  const response = await request(target, url, action, options.signal);
  state.hasConnected = true;
  if (isReconnect) options.note('aos logs: reconnected; continuing after the last line printed');
  let event = { name: 'message', data: '', id: undefined as string | undefined };
  for await (const line of readLines(response)) {
    if (line.startsWith(':')) continue;
    if (line !== '') {
      const index = line.indexOf(':');
      const field = index < 0 ? line : line.slice(0, index);
      const value = index < 0 ? '' : line.slice(index + 1).replace(/^ /, '');
      if (field === 'event') event.name = value;
      else if (field === 'data') event.data += event.data ? `\n${value}` : value;
      else if (field === 'id') event.id = value;
      continue;
    }
    const data = event.data ? (JSON.parse(event.data) as Record<string, unknown>) : {};
    if (event.name === 'lines') {
      if (typeof data.skippedFrom === 'string')
        options.note('aos logs: some lines were rotated away on the unit before they could be read (a gap)');
      for (const text of (data.lines as string[] | undefined) ?? [])
        options.write(options.json ? `${JSON.stringify({ line: text, readAt: data.readAt })}\n` : `${text}\n`);
      if (event.id !== undefined) state.position = event.id;
    } else if (event.name === 'waiting' || event.name === 'resumed') {
      options.note(
        `aos logs: ${typeof data.message === 'string' ? data.message : 'the unit is back; following again'}`,
      );
    } else if (event.name === 'ended') {
      options.note(`aos logs: the follow ended: ${String(data.message ?? '')}`);
      return true;
    }
    event = { name: 'message', data: '', id: undefined };
  }
  throw new CliError('failed', action, 'the connection to the cloud closed');
}

/** The body's lines as they come; a connection lost midway is a CliError ('failed': a follow reconnects). */
async function* readLines(response: Response): AsyncGenerator<string> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let rest = '';
  const reader = response.body.getReader();
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch (error) {
      throw new CliError('failed', 'reading from the cloud', `the connection was lost (${describeCause(error)})`, {
        cause: error,
      });
    }
    if (chunk.done) break;
    const lines = (rest + decoder.decode(chunk.value, { stream: true })).split('\n');
    rest = lines.pop() ?? '';
    yield* lines;
  }
  rest += decoder.decode();
  if (rest) yield rest;
}

function hintFor(status: number): string | undefined {
  if (status === 401) return 'the cloud did not accept your credential (`aos credentials show`)';
  if (status === 404)
    return 'check the service ID and the unit (`aos status --service <id>`); an SP reads only its own services';
  if (status === 503) return 'the unit is offline: its logs can be read while it is connected';
  return undefined;
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** `1h`, `30m`, `45s`, `2d` before now, or an ISO 8601 time. */
export function parseLogTime(value: string, option: string, now: Date = new Date()): Date {
  const relative = /^(\d+)(s|m|h|d)$/.exec(value.trim());
  if (relative?.[1] && relative[2]) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  const time = new Date(value);
  if (Number.isNaN(time.getTime()))
    throw new CliError('usage', `reading ${option}`, `${JSON.stringify(value)} is not a time`, {
      hint: `give a duration back from now (30s, 15m, 1h, 2d) or an ISO time (2026-12-05T10:00:00Z) to ${option}`,
    });
  return time;
}

interface LogsFlags {
  url?: string;
  pkcs12?: string;
  json?: boolean;
  unit?: string;
  subject?: string;
  instance?: string;
  since?: string;
  until?: string;
  follow?: boolean;
  tail?: string;
  agent?: boolean;
}

/** Register `aos logs` (one line in program-cloud.ts). */
export function registerLogsCommand(program: Command, context: CommandContext): void {
  withOutputOptions(
    program
      .command('logs')
      .description("what a service's instance printed on a unit (or a unit's agent log); -f follows new lines")
      .argument('[service-id]', 'Service ID')
      .option('--unit <systemId>', 'the unit (needed when the service runs on several)')
      .option('--subject <id>', 'the subject of the instance (default: the first the unit reports)')
      .option('--instance <n>', 'instance index (default: the lowest the unit reports)')
      .option('--since <time>', 'from this time: 30s, 15m, 1h, 2d back, or an ISO time')
      .option('--until <time>', 'up to this time (same forms)')
      .option('-f, --follow', 'print new lines as the instance writes them, until Ctrl-C')
      .option('--tail <n>', 'with -f: start this many lines back (default 10)')
      .option('--agent', "the unit's agent log instead (OEM; with --unit)")
      .option('--url <url>', 'cloud address (default: AOS_CLOUD_URL, else the one `aos login` saved)')
      .option('--pkcs12 <file>', 'authenticate with this credential'),
    false,
  ).action(async (serviceId: string | undefined, flags: LogsFlags) => {
    const controller = new AbortController();
    const abort = () => controller.abort();
    process.once('SIGINT', abort);
    process.once('SIGTERM', abort);
    try {
      await runLogs({
        aosHome: context.env.aosHome,
        ...((flags.url ?? context.env.cloudUrl) ? { url: flags.url ?? context.env.cloudUrl } : {}),
        ...(flags.pkcs12 ? { pkcs12: flags.pkcs12 } : {}),
        serviceId,
        systemId: flags.unit,
        subjectId: flags.subject,
        instance: flags.instance === undefined ? undefined : readCount(flags.instance, '--instance'),
        agent: flags.agent,
        since: flags.since ? parseLogTime(flags.since, '--since') : undefined,
        until: flags.until ? parseLogTime(flags.until, '--until') : undefined,
        follow: flags.follow,
        tail: flags.tail === undefined ? undefined : readCount(flags.tail, '--tail'),
        json: flags.json,
        write: (text) => context.io.stdout.write(text),
        note: (text) => context.io.stderr.write(`${text}\n`),
        signal: controller.signal,
      });
    } finally {
      process.off('SIGINT', abort);
      process.off('SIGTERM', abort);
    }
  });
}

function readCount(value: string, option: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0)
    throw new CliError('usage', `reading ${option}`, `${JSON.stringify(value)} is not a whole number`, {
      hint: `give ${option} 0, 1, 2…`,
    });
  return number;
}
