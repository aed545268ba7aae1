'use client';
import { useState } from 'react';
import { DataTable } from '../../../src/client/data-table';
import { FormCard } from '../../../src/client/form-card';
import { useAction, useLoad } from '../../../src/client/hooks';
import { describeRole, type Role } from '../../../src/client/roles';
import { api } from '../../../src/client/trpc';
import { Empty, Field, Problem } from '../../../src/client/ui';

function OrganisationForm({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'oem' | 'sp'>('sp');
  const action = useAction();
  return (
    <FormCard
      title="New organisation"
      submitLabel="Create organisation"
      action={action}
      onSubmit={() => {
        void action
          .run(() => api.organisations.create.mutate({ name, kind }))
          .then((result) => {
            if (result.ok) {
              setName('');
              onDone();
            }
          });
      }}
    >
      <div className="row">
        <Field label="Name" name="name" problem={action.problem}>
          <input name="organisationName" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Kind" name="kind" problem={action.problem}>
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as 'oem' | 'sp')}>
            <option value="sp">Service provider</option>
            <option value="oem">OEM</option>
          </select>
        </Field>
      </div>
    </FormCard>
  );
}

function UserForm({
  organisations,
  onDone,
}: {
  organisations: { id: string; name: string; kind: 'oem' | 'sp' }[];
  onDone: () => void;
}) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [organisationId, setOrganisationId] = useState('');
  const [password, setPassword] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const action = useAction();
  const organisation = organisations.find((o) => o.id === organisationId);
  const role: Role = organisation ? organisation.kind : 'admin';
  return (
    <FormCard
      title="New user"
      submitLabel="Create user"
      action={action}
      notice={created}
      onSubmit={() => {
        setCreated(null);
        void action
          .run(() =>
            api.users.create.mutate({
              email,
              name,
              role,
              organisationId: organisationId || null,
              ...(password ? { password } : {}),
            }),
          )
          .then((result) => {
            if (result.ok) {
              setCreated(
                result.value.password
                  ? `${result.value.user.email} can sign in with the password ${result.value.password} (shown once).`
                  : `${result.value.user.email} created.`,
              );
              setEmail('');
              setName('');
              setPassword('');
              onDone();
            }
          });
      }}
    >
      <div className="row">
        <Field label="Email" name="email" problem={action.problem}>
          <input name="userEmail" value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Name" name="name" problem={action.problem}>
          <input name="userName" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
      </div>
      <div className="row">
        <Field label="Organisation" name="organisationId" problem={action.problem} hint={`Role: ${describeRole(role)}`}>
          <select name="organisationId" value={organisationId} onChange={(e) => setOrganisationId(e.target.value)}>
            <option value="">None (admin)</option>
            {organisations.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name} ({o.kind === 'oem' ? 'OEM' : 'SP'})
              </option>
            ))}
          </select>
        </Field>
        <Field label="Password" name="password" problem={action.problem} hint="Leave empty to generate one.">
          <input
            name="userPassword"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
      </div>
    </FormCard>
  );
}

export default function AdminPage() {
  const organisations = useLoad(() => api.organisations.list.query());
  const users = useLoad(() => api.users.list.query());
  const toggle = useAction();
  return (
    <>
      <h1>Admin</h1>
      <Problem problem={organisations.problem ?? toggle.problem} />
      <h2>Organisations</h2>
      {organisations.data && organisations.data.length === 0 ? (
        <Empty title="No organisations yet.">
          Create a service provider and an OEM organisation, then add their users.
        </Empty>
      ) : (
        <ul className="chips">
          {organisations.data?.map((o) => (
            <li key={o.id}>
              {o.name} · {o.kind === 'oem' ? 'OEM' : 'SP'}
            </li>
          ))}
        </ul>
      )}
      <OrganisationForm onDone={() => void organisations.reload()} />
      <h2>Users</h2>
      <DataTable headers={['Email', 'Name', 'Role', 'Organisation', 'Status']}>
        {users.data?.map((user) => (
          <tr key={user.id}>
            <td>{user.email}</td>
            <td>{user.name}</td>
            <td>{describeRole(user.role)}</td>
            <td>{user.organisationName ?? '—'}</td>
            <td>
              {user.isActive ? 'active' : 'deactivated'}{' '}
              {user.role !== 'admin' ? (
                <button
                  type="button"
                  className="button-small"
                  onClick={() =>
                    void toggle
                      .run(() => api.users.setActive.mutate({ id: user.id, isActive: !user.isActive }))
                      .then(users.reload)
                  }
                >
                  {user.isActive ? 'Deactivate' : 'Reactivate'}
                </button>
              ) : null}
            </td>
          </tr>
        ))}
      </DataTable>
      <UserForm organisations={organisations.data ?? []} onDone={() => void users.reload()} />
    </>
  );
}
