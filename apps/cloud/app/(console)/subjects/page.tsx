'use client';
import Link from 'next/link';
import { useState } from 'react';
import { DataTable } from '../../../src/client/data-table';
import { FormCard } from '../../../src/client/form-card';
import { useAction, useLoad } from '../../../src/client/hooks';
import { api } from '../../../src/client/trpc';
import { Empty, Field, Problem } from '../../../src/client/ui';

export default function SubjectsPage() {
  const { data: subjects, problem, reload } = useLoad(() => api.subjects.list.query());
  const [name, setName] = useState('');
  const create = useAction();
  return (
    <>
      <h1>Subjects</h1>
      <p className="muted">
        A subject binds services to units and unit sets: every unit bound (directly or through a set) runs every service
        bound.
      </p>
      <Problem problem={problem} />
      {subjects && subjects.length === 0 ? (
        <Empty title="No subjects.">Create one below, then open it to bind services, units and unit sets.</Empty>
      ) : null}
      {subjects && subjects.length > 0 ? (
        <DataTable headers={['Name', 'Type', 'Services', 'Units', 'Unit sets']}>
          {subjects.map((subject) => (
            <tr key={subject.id}>
              <td>
                <Link href={`/subjects/${subject.id}`}>{subject.name}</Link>
              </td>
              <td>{subject.type}</td>
              <td>{subject.services.map((s) => s.title).join(', ') || '—'}</td>
              <td>{subject.units.map((u) => u.systemId).join(', ') || '—'}</td>
              <td>{subject.unitSets.map((u) => u.name).join(', ') || '—'}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      <FormCard
        title="New subject"
        submitLabel="Create subject"
        action={create}
        onSubmit={() => {
          void create
            .run(() => api.subjects.create.mutate({ name }))
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
      </FormCard>
    </>
  );
}
