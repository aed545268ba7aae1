'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { DataTable } from '../../../src/client/data-table';
import { FormCard } from '../../../src/client/form-card';
import { useAction, useLoad } from '../../../src/client/hooks';
import { useLiveRefresh } from '../../../src/client/live';
import { useActor } from '../../../src/client/session';
import { api } from '../../../src/client/trpc';
import { Empty, Field, Problem } from '../../../src/client/ui';

function CreateServiceForm() {
  const router = useRouter();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [memory, setMemory] = useState('');
  const action = useAction();
  return (
    <FormCard
      title="New service"
      submitLabel="Create service"
      action={action}
      onSubmit={() => {
        const memoryLimit = memory.trim() === '' ? undefined : Number(memory) * 1024 * 1024;
        void action
          .run(() =>
            api.services.create.mutate({
              title,
              description,
              ...(memoryLimit === undefined ? {} : { defaultQuotas: { memoryLimit } }),
            }),
          )
          .then((result) => {
            if (result.ok) router.push(`/services/${result.value.id}`);
          });
      }}
    >
      <Field label="Title" name="title" problem={action.problem}>
        <input name="title" value={title} onChange={(e) => setTitle(e.target.value)} placeholder="hello-world" />
      </Field>
      <Field label="Description" name="description" problem={action.problem}>
        <textarea name="description" value={description} onChange={(e) => setDescription(e.target.value)} rows={2} />
      </Field>
      <Field
        label="Default memory limit (MiB)"
        name="defaultQuotas.memoryLimit"
        problem={action.problem}
        hint="Optional; stored with the service as its default quota."
      >
        <input name="memoryLimit" inputMode="numeric" value={memory} onChange={(e) => setMemory(e.target.value)} />
      </Field>
    </FormCard>
  );
}

export default function ServicesPage() {
  const actor = useActor();
  const { data: services, problem, reload } = useLoad(() => api.services.list.query());
  // Services created or uploaded elsewhere (the CLI, another person) appear without a reload.
  useLiveRefresh(reload, { kinds: ['catalogue-changed'] });
  return (
    <>
      <h1>Services</h1>
      <Problem problem={problem} />
      {services && services.length === 0 ? (
        <Empty title="No services yet.">
          {actor.role === 'sp'
            ? 'Create one below: you get its Service ID to put into publish.service_uid of meta/config.yaml, then sign and upload with aos.'
            : 'Service providers create services; they appear here once they exist.'}
        </Empty>
      ) : null}
      {services && services.length > 0 ? (
        <DataTable headers={['Title', 'Service ID', 'Owner', 'Latest version', 'Versions']}>
          {services.map((service) => (
            <tr key={service.id}>
              <td>
                <Link href={`/services/${service.id}`}>{service.title}</Link>
              </td>
              <td>
                <code>{service.id}</code>
              </td>
              <td>{service.organisationName}</td>
              <td>{service.latestVersion ?? '—'}</td>
              <td>{service.versionCount}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {actor.role === 'sp' ? <CreateServiceForm /> : null}
    </>
  );
}
