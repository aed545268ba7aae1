'use client';
import { useState } from 'react';
import { ConfirmButton } from '../../../src/client/confirm-button';
import { FormCard } from '../../../src/client/form-card';
import { useAction, useLoad } from '../../../src/client/hooks';
import { api } from '../../../src/client/trpc';
import { Empty, Field, Problem } from '../../../src/client/ui';

function UnitSetRow({
  set,
  units,
  onChange,
}: {
  set: { id: string; name: string; isVerificationSet: boolean; unitCount: number };
  units: { id: string; systemId: string }[];
  onChange: () => void;
}) {
  const detail = useLoad(() => api.unitSets.get.query({ id: set.id }), [set.id, set.unitCount]);
  const [unitId, setUnitId] = useState('');
  const action = useAction();
  const members = detail.data?.units ?? [];
  const candidates = units.filter((unit) => !members.some((member) => member.id === unit.id));
  return (
    <li className="card">
      <div className="row spread">
        <h3>
          {set.name} {set.isVerificationSet ? <span className="badge badge-ready">verification set</span> : null}
        </h3>
        <span>
          <button
            type="button"
            className="button-small"
            onClick={() =>
              void action
                .run(() => api.unitSets.update.mutate({ id: set.id, isVerificationSet: !set.isVerificationSet }))
                .then(onChange)
            }
          >
            {set.isVerificationSet ? 'Make ordinary set' : 'Make verification set'}
          </button>{' '}
          <ConfirmButton
            question={`Delete unit set ${set.name}? Its units stay.`}
            className="button-small button-danger"
            onConfirm={() => void action.run(() => api.unitSets.remove.mutate({ id: set.id })).then(onChange)}
          >
            Delete
          </ConfirmButton>
        </span>
      </div>
      <Problem problem={action.problem} />
      {members.length === 0 ? <p className="muted">No units in this set yet.</p> : null}
      <ul className="chips">
        {members.map((unit) => (
          <li key={unit.id}>
            {unit.systemId}
            <button
              type="button"
              className="button-link"
              aria-label={`Remove ${unit.systemId}`}
              onClick={() =>
                void action
                  .run(() => api.unitSets.removeUnits.mutate({ id: set.id, unitIds: [unit.id] }))
                  .then(onChange)
              }
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      {candidates.length > 0 ? (
        <form
          className="row"
          onSubmit={(event) => {
            event.preventDefault();
            if (unitId)
              void action.run(() => api.unitSets.addUnits.mutate({ id: set.id, unitIds: [unitId] })).then(onChange);
          }}
        >
          <select value={unitId} onChange={(e) => setUnitId(e.target.value)} aria-label="Unit to add">
            <option value="">Choose a unit…</option>
            {candidates.map((unit) => (
              <option key={unit.id} value={unit.id}>
                {unit.systemId}
              </option>
            ))}
          </select>
          <button type="submit" className="button-small">
            Add unit
          </button>
        </form>
      ) : null}
    </li>
  );
}

export default function UnitSetsPage() {
  const { data: sets, problem, reload } = useLoad(() => api.unitSets.list.query());
  const { data: units } = useLoad(() => api.units.list.query());
  const [name, setName] = useState('');
  const [isVerificationSet, setVerification] = useState(false);
  const create = useAction();
  return (
    <>
      <h1>Unit sets</h1>
      <p className="muted">
        Units in a verification set get the newest ready-or-approved version of each service bound to them, without
        waiting for approval; the rest of the fleet gets the newest approved version.
      </p>
      <Problem problem={problem} />
      {sets && sets.length === 0 ? <Empty title="No unit sets.">Create one below, then add units to it.</Empty> : null}
      <ul className="plain">
        {sets?.map((set) => (
          <UnitSetRow key={set.id} set={set} units={units ?? []} onChange={() => void reload()} />
        ))}
      </ul>
      <FormCard
        title="New unit set"
        submitLabel="Create unit set"
        action={create}
        onSubmit={() => {
          void create
            .run(() => api.unitSets.create.mutate({ name, isVerificationSet }))
            .then((result) => {
              if (result.ok) {
                setName('');
                void reload();
              }
            });
        }}
      >
        <Field label="Name" name="name" problem={create.problem}>
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <label className="check">
          <input type="checkbox" checked={isVerificationSet} onChange={(e) => setVerification(e.target.checked)} />{' '}
          Verification set
        </label>
      </FormCard>
    </>
  );
}
