'use client';
import Link from 'next/link';
import { useState } from 'react';
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
      <p className="muted">A subject binds services to units and unit sets: every unit bound (directly or through a set) runs every service bound.</p>
      <Problem problem={problem} />
      {subjects && subjects.length === 0 ? <Empty title="No subjects.">Create one below, then open it to bind services, units and unit sets.</Empty> : null}
      {subjects && subjects.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>Services</th>
              <th>Units</th>
              <th>Unit sets</th>
            </tr>
          </thead>
          <tbody>
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
          </tbody>
        </table>
      ) : null}
      <form
        className="card"
        onSubmit={(event) => {
          event.preventDefault();
          void create.run(() => api.subjects.create.mutate({ name })).then((result) => {
            if (result.ok) {
              setName('');
              void reload();
            }
          });
        }}
      >
        <h2>New subject</h2>
        <Field label="Name" name="name" problem={create.problem}>
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Problem problem={create.problem} />
        <button type="submit" disabled={create.isPending}>
          Create subject
        </button>
      </form>
    </>
  );
}
