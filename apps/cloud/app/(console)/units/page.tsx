'use client';
import Link from 'next/link';
import { useState } from 'react';
import { ConfirmButton } from '../../../src/client/confirm-button';
import { DataTable } from '../../../src/client/data-table';
import { FormCard } from '../../../src/client/form-card';
import { useAction, useLoad } from '../../../src/client/hooks';
import { useLiveRefresh } from '../../../src/client/live';
import { api } from '../../../src/client/trpc';
import { ConnectionText, ProvisionButton, RevokeButton } from '../../../src/client/unit-actions';
import { Empty, Field, Problem, StateBadge, formatTime } from '../../../src/client/ui';

export default function UnitsPage() {
  const { data: units, problem, reload } = useLoad(() => api.units.list.query());
  useLiveRefresh(reload, { kinds: ['status-changed', 'revoked'] });
  const [systemId, setSystemId] = useState('');
  const [model, setModel] = useState('');
  const create = useAction();
  const change = useAction();
  return (
    <>
      <h1>Units</h1>
      <Problem problem={problem ?? change.problem} />
      {units && units.length === 0 ? (
        <Empty title="No units registered.">
          Register a unit below by its system ID, then provision it: the Provision button gives the command to run on
          the device. Put it into unit sets and bind it to subjects.
        </Empty>
      ) : null}
      {units && units.length > 0 ? (
        <DataTable headers={['System ID', 'Model', 'State', 'Connection', 'Provisioned', '']} testId="units">
          {units.map((unit) => (
            <tr key={unit.id} data-system-id={unit.systemId}>
              <td>
                <Link href={`/units/${unit.id}`}>
                  <code>{unit.systemId}</code>
                </Link>
              </td>
              <td>{unit.model}</td>
              <td>{unit.revokedAt ? <StateBadge state="revoked" /> : <StateBadge state={unit.state} />}</td>
              <td data-testid="connection">
                <ConnectionText unit={unit} />
              </td>
              <td>{formatTime(unit.provisionedAt)}</td>
              <td className="actions">
                <ProvisionButton unit={unit} />{' '}
                {unit.state === 'provisioned' && !unit.revokedAt ? (
                  <RevokeButton unit={unit} action={change} onDone={() => void reload()} />
                ) : null}{' '}
                <ConfirmButton
                  question={`Delete unit ${unit.systemId}?`}
                  className="button-small button-danger"
                  onConfirm={() => void change.run(() => api.units.remove.mutate({ id: unit.id })).then(reload)}
                >
                  Delete
                </ConfirmButton>
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      <FormCard
        title="Register a unit"
        submitLabel="Register unit"
        action={create}
        onSubmit={() => {
          void create
            .run(() => api.units.create.mutate({ systemId, model }))
            .then((result) => {
              if (result.ok) {
                setSystemId('');
                setModel('');
                void reload();
              }
            });
        }}
      >
        <div className="row">
          <Field label="System ID" name="systemId" problem={create.problem}>
            <input
              name="systemId"
              value={systemId}
              onChange={(e) => setSystemId(e.target.value)}
              placeholder="unit-0001"
            />
          </Field>
          <Field label="Model" name="model" problem={create.problem}>
            <input name="model" value={model} onChange={(e) => setModel(e.target.value)} placeholder="rpi4" />
          </Field>
        </div>
      </FormCard>
    </>
  );
}
