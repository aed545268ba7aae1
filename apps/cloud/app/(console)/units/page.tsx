'use client';
import { useState } from 'react';
import { ConfirmButton } from '../../../src/client/confirm-button';
import { DataTable } from '../../../src/client/data-table';
import { FormCard } from '../../../src/client/form-card';
import { useAction, useLoad } from '../../../src/client/hooks';
import { api } from '../../../src/client/trpc';
import { Empty, Field, Problem, StateBadge, formatTime } from '../../../src/client/ui';

export default function UnitsPage() {
  const { data: units, problem, reload } = useLoad(() => api.units.list.query());
  const [systemId, setSystemId] = useState('');
  const [model, setModel] = useState('');
  const create = useAction();
  const remove = useAction();
  return (
    <>
      <h1>Units</h1>
      <Problem problem={problem ?? remove.problem} />
      {units && units.length === 0 ? (
        <Empty title="No units registered.">
          Register a unit below by its system ID; then put it into unit sets and bind it to subjects.
        </Empty>
      ) : null}
      {units && units.length > 0 ? (
        <DataTable headers={['System ID', 'Model', 'State', 'Connection', 'Last seen', '']}>
          {units.map((unit) => (
            <tr key={unit.id}>
              <td>
                <code>{unit.systemId}</code>
              </td>
              <td>{unit.model}</td>
              <td>
                <StateBadge state={unit.state} />
              </td>
              <td>
                <StateBadge state={unit.connection} />
              </td>
              <td>{formatTime(unit.lastSeenAt)}</td>
              <td className="actions">
                <ConfirmButton
                  question={`Delete unit ${unit.systemId}?`}
                  className="button-small button-danger"
                  onConfirm={() => void remove.run(() => api.units.remove.mutate({ id: unit.id })).then(reload)}
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
