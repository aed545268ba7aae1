'use client';
import { useState } from 'react';
import { ConfirmButton } from './confirm-button';
import { DataTable } from './data-table';
import { useAction, useLoad, usePolling } from './hooks';
import { useActor } from './session';
import { api } from './trpc';
import { Problem, StateBadge, formatTime } from './ui';

const UNIT_STATES = ['pending', 'updating', 'offline', 'active', 'failed'] as const;

function formatCounts(counts: Record<string, number>): string {
  const parts = UNIT_STATES.filter((state) => (counts[state] ?? 0) > 0).map((state) => `${counts[state]} ${state}`);
  return parts.length > 0 ? parts.join(', ') : '—';
}

/** One rollout's waves and its history (every decision with its reason), with its controls for the OEM. */
function RolloutDetail({ id, onChange }: { id: string; onChange: () => void }) {
  const actor = useActor();
  const { data, problem, reload } = useLoad(() => api.rollouts.show.query({ id }), [id]);
  usePolling(reload);
  const action = useAction();
  if (!data) return <Problem problem={problem} />;
  const control = (command: 'pause' | 'resume' | 'abort') =>
    void action
      .run(() => api.rollouts[command].mutate({ id }))
      .then(() => {
        void reload();
        onChange();
      });
  const isActive = data.status === 'running' || data.status === 'paused';
  return (
    <div className="card" data-testid="rollout-detail" data-rollout={id}>
      <p>
        <strong>
          {data.version} on {data.subjectName}
        </strong>{' '}
        <StateBadge state={data.status} /> wave {data.wave} of {data.waveCount}. Units joining the subject get{' '}
        {data.status === 'completed' ? data.version : (data.baselineVersion ?? 'nothing')}.
      </p>
      <Problem problem={action.problem} />
      {actor.role === 'oem' && isActive ? (
        <p className="actions">
          {data.status === 'running' ? (
            <button type="button" className="button-small" onClick={() => control('pause')}>
              Pause
            </button>
          ) : (
            <button type="button" className="button-small" onClick={() => control('resume')}>
              Resume
            </button>
          )}{' '}
          <ConfirmButton
            question={`Abort the rollout of ${data.version} and send its updated units back to the version each had?`}
            className="button-small button-danger"
            onConfirm={() => control('abort')}
          >
            Abort
          </ConfirmButton>
        </p>
      ) : null}
      <DataTable headers={['Wave', 'Started', 'Units', 'States']} testId="rollout-waves">
        {data.waves.map((wave) => (
          <tr key={wave.wave} data-wave={wave.wave}>
            <td>{wave.wave}</td>
            <td>{wave.isStarted ? 'yes' : 'no'}</td>
            <td>{wave.units}</td>
            <td>{formatCounts(wave.counts)}</td>
          </tr>
        ))}
      </DataTable>
      <h3>History</h3>
      <ol className="history" data-testid="rollout-history">
        {data.events.map((event, index) => (
          <li key={index} data-kind={event.kind}>
            {formatTime(event.at)} — <strong>{event.kind}</strong>: {event.reason}
          </li>
        ))}
      </ol>
    </div>
  );
}

/**
 * The rollouts of a service (docs/rollouts.md): each with its status, wave and units per state,
 * live; the newest one opened with its waves, history and (OEM) pause, resume and abort.
 */
export function ServiceRollouts({ serviceId }: { serviceId: string }) {
  // Rollouts belong to OEM organisations; an SP reads those of its own services; admins have none.
  return useActor().role === 'admin' ? null : <RolloutList serviceId={serviceId} />;
}

function RolloutList({ serviceId }: { serviceId: string }) {
  const { data, problem, reload } = useLoad(() => api.rollouts.list.query({ serviceId }), [serviceId]);
  usePolling(reload);
  const [openId, setOpenId] = useState<string | null>(null);
  if (!data) return <Problem problem={problem} />;
  const shown = openId ?? data[0]?.id ?? null;
  return (
    <section>
      <h2>Rollouts</h2>
      <p className="muted">
        Approving a version bound to your subjects starts a rollout in waves; each wave starts once the units before it
        are active for the soak time, and failures over the threshold pause or abort it.
      </p>
      <Problem problem={problem} />
      {data.length === 0 ? (
        <p className="muted" data-testid="rollouts-empty">
          No rollouts yet: approve a version, or run <code>aos rollout start &lt;versionId&gt;</code>.
        </p>
      ) : (
        <DataTable headers={['Version', 'Subject', 'Status', 'Wave', 'Units', 'Latest decision', '']} testId="rollouts">
          {data.map((rollout) => (
            <tr key={rollout.id} data-rollout={rollout.id} data-version={rollout.version}>
              <td>{rollout.version}</td>
              <td>{rollout.subjectName}</td>
              <td>
                <StateBadge state={rollout.status} />
              </td>
              <td>
                {rollout.wave}/{rollout.waveCount}
              </td>
              <td>{formatCounts(rollout.counts)}</td>
              <td>{rollout.lastReason}</td>
              <td className="actions">
                <button type="button" className="button-small" onClick={() => setOpenId(rollout.id)}>
                  Details
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {shown ? <RolloutDetail key={shown} id={shown} onChange={() => void reload()} /> : null}
    </section>
  );
}
