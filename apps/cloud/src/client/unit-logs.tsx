'use client';
/**
 * The log view of a unit page: one instance's log (or the unit's agent log), read as a range or
 * followed live. It talks to the cloud's `GET /api/logs` (docs/logs.md) with the session cookie:
 * NDJSON for a range, server-sent events for a follow. The browser's EventSource reconnects by
 * itself and sends the last line's position (`Last-Event-ID`), so a dropped connection neither
 * loses nor repeats lines. At most the last {@link MAX_LINES} lines are kept on the page.
 */
import { useEffect, useRef, useState } from 'react';

const LOGS_PATH = '/api/logs';
const MAX_LINES = 5000;

export interface LogInstance {
  serviceId: string;
  subjectId: string;
  instance: number;
  title: string | null;
}

type Source = { kind: 'instance'; key: string; instance: LogInstance } | { kind: 'agent'; key: 'agent' };

function sourceQuery(systemId: string, source: Source): URLSearchParams {
  const query = new URLSearchParams({ unit: systemId });
  if (source.kind === 'agent') query.set('agent', '1');
  else {
    query.set('service', source.instance.serviceId);
    query.set('subject', source.instance.subjectId);
    query.set('instance', String(source.instance.instance));
  }
  return query;
}

/** `agentLog: false` for an SP, who may read only its services' instances (the agent log is refused). */
export function UnitLogs({
  systemId,
  instances,
  agentLog = true,
}: {
  systemId: string;
  instances: LogInstance[];
  agentLog?: boolean;
}) {
  const sources: Source[] = [
    ...instances.map(
      (instance): Source => ({
        kind: 'instance',
        key: `${instance.serviceId}/${instance.subjectId}/${instance.instance}`,
        instance,
      }),
    ),
    ...(agentLog ? [{ kind: 'agent', key: 'agent' } as const] : []),
  ];
  const [selected, setSelected] = useState(sources[0]?.key ?? 'agent');
  const [lines, setLines] = useState<string[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const [isFollowing, setFollowing] = useState(false);
  const events = useRef<EventSource | null>(null);
  const view = useRef<HTMLPreElement | null>(null);
  const source = sources.find((candidate) => candidate.key === selected) ?? sources[0];

  const append = (more: string[]) => setLines((current) => [...current, ...more].slice(-MAX_LINES));
  const stop = () => {
    events.current?.close();
    events.current = null;
    setFollowing(false);
  };
  useEffect(() => stop, []);
  useEffect(() => {
    if (view.current) view.current.scrollTop = view.current.scrollHeight;
  }, [lines]);

  async function show(): Promise<void> {
    if (!source) return;
    stop();
    setLines([]);
    setNote('Reading the log from the unit…');
    const response = await fetch(`${LOGS_PATH}?${sourceQuery(systemId, source).toString()}`);
    if (!response.ok || !response.body) {
      const body = (await response.json().catch(() => ({}))) as { message?: string };
      setNote(body.message ?? `the cloud answered ${response.status}`);
      return;
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const records = (rest + value).split('\n');
      rest = records.pop() ?? '';
      for (const record of records.filter(Boolean)) {
        const parsed = JSON.parse(record) as { lines?: string[]; done?: boolean; error?: { message: string } };
        if (parsed.lines) append(parsed.lines);
        if (parsed.error) return setNote(parsed.error.message);
        if (parsed.done) return setNote(null);
      }
    }
    setNote('The connection closed before the end of the log.');
  }

  function follow(): void {
    if (!source || source.kind !== 'instance') return;
    stop();
    setLines([]);
    setNote('Following: new lines appear as the instance writes them.');
    const query = sourceQuery(systemId, source);
    query.set('follow', '1');
    query.set('tail', '100');
    const stream = new EventSource(`${LOGS_PATH}?${query.toString()}`);
    events.current = stream;
    setFollowing(true);
    stream.addEventListener('lines', (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as { lines: string[]; skippedFrom?: string };
      if (data.skippedFrom) append(['… (lines rotated away on the unit before they were read) …']);
      append(data.lines);
    });
    const show = (event: Event) => {
      const data = JSON.parse((event as MessageEvent<string>).data || '{}') as { message?: string };
      setNote(data.message ?? 'Following again.');
    };
    stream.addEventListener('waiting', show);
    stream.addEventListener('resumed', show);
    stream.addEventListener('ended', (event) => {
      show(event);
      stop();
    });
    stream.onerror = () => {
      if (stream.readyState === EventSource.CLOSED) {
        setNote('The cloud refused the follow (is the unit online?).');
        stop();
      } else setNote('Connection lost; reconnecting and continuing after the last line…');
    };
  }

  return (
    <section data-testid="unit-logs">
      <h2>Logs</h2>
      <p className="actions">
        <select value={selected} onChange={(event) => setSelected(event.target.value)} aria-label="Log">
          {sources.map((candidate) => (
            <option key={candidate.key} value={candidate.key}>
              {candidate.kind === 'agent'
                ? 'Agent log'
                : `${candidate.instance.title ?? candidate.instance.serviceId} #${candidate.instance.instance}`}
            </option>
          ))}
        </select>{' '}
        <button type="button" className="button-small" onClick={() => void show()}>
          Show log
        </button>{' '}
        {isFollowing ? (
          <button type="button" className="button-small" onClick={stop}>
            Stop following
          </button>
        ) : (
          <button type="button" className="button-small" onClick={follow} disabled={source?.kind !== 'instance'}>
            Follow
          </button>
        )}
      </p>
      {note ? (
        <p className="muted" data-testid="log-note">
          {note}
        </p>
      ) : null}
      <pre className="log-view" ref={view} data-testid="log-lines">
        {lines.join('\n')}
      </pre>
    </section>
  );
}
