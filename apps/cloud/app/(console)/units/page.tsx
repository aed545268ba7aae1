'use client';
import { useState } from 'react';
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
        <Empty title="No units registered.">Register a unit below by its system ID; then put it into unit sets and bind it to subjects.</Empty>
      ) : null}
      {units && units.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>System ID</th>
              <th>Model</th>
              <th>State</th>
              <th>Connection</th>
              <th>Last seen</th>
              <th />
            </tr>
          </thead>
          <tbody>
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
                  <button
                    type="button"
                    className="button-small button-danger"
                    onClick={() => {
                      if (confirm(`Delete unit ${unit.systemId}?`)) void remove.run(() => api.units.remove.mutate({ id: unit.id })).then(reload);
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form
        className="card"
        onSubmit={(event) => {
          event.preventDefault();
          void create.run(() => api.units.create.mutate({ systemId, model })).then((result) => {
            if (result.ok) {
              setSystemId('');
              setModel('');
              void reload();
            }
          });
        }}
      >
        <h2>Register a unit</h2>
        <div className="row">
          <Field label="System ID" name="systemId" problem={create.problem}>
            <input name="systemId" value={systemId} onChange={(e) => setSystemId(e.target.value)} placeholder="unit-0001" />
          </Field>
          <Field label="Model" name="model" problem={create.problem}>
            <input name="model" value={model} onChange={(e) => setModel(e.target.value)} placeholder="rpi4" />
          </Field>
        </div>
        <Problem problem={create.problem} />
        <button type="submit" disabled={create.isPending}>
          Register unit
        </button>
      </form>
    </>
  );
}
