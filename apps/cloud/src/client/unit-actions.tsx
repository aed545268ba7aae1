'use client';
import { useState } from 'react';
import { ConfirmButton } from './confirm-button';
import { useAction } from './hooks';
import { api } from './trpc';
import { CopyText, Problem, formatTime } from './ui';

const TTL_CHOICES = [
  { label: '15 minutes', seconds: 900 },
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86400 },
  { label: '7 days', seconds: 7 * 86400 },
];

type Token = Awaited<ReturnType<typeof api.units.provisionToken.mutate>>;

/**
 * "Provision": a dialog that creates a one-time provisioning token and shows it with its expiry
 * and the exact command to run on the device. The cloud URL is this page's origin unless the
 * cloud is configured with OPENAOS_PUBLIC_URL.
 */
export function ProvisionButton({ unit }: { unit: { id: string; systemId: string } }) {
  const [open, setOpen] = useState(false);
  const [ttlSeconds, setTtl] = useState(3600);
  const [token, setToken] = useState<Token | null>(null);
  const action = useAction();
  const close = () => {
    setOpen(false);
    setToken(null);
    action.clear();
  };
  return (
    <>
      <button type="button" className="button-small" onClick={() => setOpen(true)}>
        Provision
      </button>
      {open ? (
        <div className="dialog-backdrop">
          <div className="dialog" role="dialog" aria-label={`Provision unit ${unit.systemId}`}>
            <h2>Provision unit {unit.systemId}</h2>
            {token ? (
              <>
                <p>
                  Run this on the device (the token works once, until {formatTime(token.expiresAt)}; a new token
                  replaces it):
                </p>
                <CopyText value={token.command} label="provision-command" />
                <dl className="facts">
                  <dt>Token</dt>
                  <dd>
                    <code data-testid="provision-token">{token.token}</code>
                  </dd>
                  <dt>Expires</dt>
                  <dd data-testid="provision-expires">{formatTime(token.expiresAt)}</dd>
                  <dt>Cloud</dt>
                  <dd>{token.cloudUrl}</dd>
                </dl>
              </>
            ) : (
              <>
                <p className="muted">
                  A one-time token lets the unit&apos;s agent make its key pair and get its certificate from this cloud.
                  Only its hash is stored: it is shown once.
                </p>
                <label className="field">
                  <span className="field-label">Valid for</span>
                  <select name="ttl" value={ttlSeconds} onChange={(e) => setTtl(Number(e.target.value))}>
                    {TTL_CHOICES.map((choice) => (
                      <option key={choice.seconds} value={choice.seconds}>
                        {choice.label}
                      </option>
                    ))}
                  </select>
                </label>
                <Problem problem={action.problem} />
                <button
                  type="button"
                  disabled={action.isPending}
                  onClick={() => {
                    void action
                      .run(() =>
                        api.units.provisionToken.mutate({
                          unit: unit.id,
                          ttlSeconds,
                          cloudUrl: window.location.origin,
                        }),
                      )
                      .then((result) => {
                        if (result.ok) setToken(result.value);
                      });
                  }}
                >
                  Create token
                </button>{' '}
              </>
            )}
            <button type="button" className="button-small" onClick={close}>
              Close
            </button>
          </div>
        </div>
      ) : null}
    </>
  );
}

/** "Revoke", after the browser's confirmation: the cloud refuses the unit until it is provisioned again. */
export function RevokeButton({
  unit,
  action,
  onDone,
}: {
  unit: { id: string; systemId: string };
  /** The page's action: it shows the problem if the cloud refuses. */
  action: ReturnType<typeof useAction>;
  onDone: () => void;
}) {
  return (
    <ConfirmButton
      question={`Revoke unit ${unit.systemId}? The cloud refuses it from now on; it comes back only by being provisioned again with a new token.`}
      className="button-small button-danger"
      onConfirm={() => void action.run(() => api.units.revoke.mutate({ unit: unit.id })).then(onDone)}
    >
      Revoke
    </ConfirmButton>
  );
}

/** Online, or offline with when the unit was last seen (never as healthy on a stale row). */
export function ConnectionText({ unit }: { unit: { connection: string; lastSeenAt: string | null } }) {
  if (unit.connection === 'online') return <span className="badge badge-online">online</span>;
  return (
    <span>
      <span className="badge badge-offline">offline</span>{' '}
      <span className="muted">{unit.lastSeenAt ? `last seen ${formatTime(unit.lastSeenAt)}` : 'never connected'}</span>
    </span>
  );
}
