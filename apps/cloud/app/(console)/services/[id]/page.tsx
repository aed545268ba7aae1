'use client';
import { useParams, useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { ConfirmButton } from '../../../../src/client/confirm-button';
import { DataTable } from '../../../../src/client/data-table';
import { FormCard } from '../../../../src/client/form-card';
import { useAction, useLoad } from '../../../../src/client/hooks';
import { useLiveRefresh } from '../../../../src/client/live';
import { ServiceRollout } from '../../../../src/client/service-rollout';
import { ServiceObservations } from '../../../../src/client/service-observations';
import { ServiceRollouts } from '../../../../src/client/service-rollouts';
import { useActor } from '../../../../src/client/session';
import { api } from '../../../../src/client/trpc';
import { CopyText, Empty, Field, Problem, StateBadge, formatBytes, formatTime } from '../../../../src/client/ui';

function UploadForm({ serviceId, onDone }: { serviceId: string; onDone: () => void }) {
  const [version, setVersion] = useState('');
  const [status, setStatus] = useState<{ kind: 'ok' | 'error' | 'busy'; text: string } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  return (
    <form
      className="card"
      onSubmit={(event) => {
        event.preventDefault();
        const file = fileInput.current?.files?.[0];
        if (!version.trim() || !file) {
          setStatus({
            kind: 'error',
            text: 'Give the version (as publish.version in meta/config.yaml) and choose the signed service.tar.gz.',
          });
          return;
        }
        const body = new FormData();
        body.set('service', serviceId);
        body.set('version', version.trim());
        body.set('file', file);
        setStatus({ kind: 'busy', text: `Uploading ${file.name} (${formatBytes(file.size)}) and building the image…` });
        // The server says where uploads go (system.info), so this page holds no copy of the path.
        void api.system.info
          .query()
          .then(({ uploadPath }) => fetch(uploadPath, { method: 'POST', body }))
          .then(async (response) => {
            const result = (await response.json()) as { message?: string; state?: string; version?: string };
            setStatus(
              response.status === 201
                ? { kind: 'ok', text: `Version ${result.version} is ${result.state}.` }
                : { kind: 'error', text: result.message ?? `Upload failed (${response.status})` },
            );
          })
          .catch((error: unknown) => setStatus({ kind: 'error', text: `Upload failed: ${(error as Error).message}` }))
          .finally(onDone);
      }}
    >
      <h2>Upload a version</h2>
      <p className="muted">
        Usually done with <code>aos upload</code>. The package must be signed with a credential of your organisation.
      </p>
      <div className="row">
        <label className="field">
          <span className="field-label">Version</span>
          <input name="version" value={version} onChange={(e) => setVersion(e.target.value)} placeholder="1.0.0" />
        </label>
        <label className="field">
          <span className="field-label">Package</span>
          <input name="file" type="file" accept=".gz,.tgz,application/gzip" ref={fileInput} />
        </label>
      </div>
      {status ? (
        <p className={status.kind === 'error' ? 'problem' : 'notice'} role="status">
          {status.text}
        </p>
      ) : null}
      <button type="submit" disabled={status?.kind === 'busy'}>
        Upload
      </button>
    </form>
  );
}

function EditServiceForm({
  service,
  onDone,
}: {
  service: { id: string; title: string; description: string };
  onDone: () => void;
}) {
  const [title, setTitle] = useState(service.title);
  const [description, setDescription] = useState(service.description);
  const action = useAction();
  return (
    <FormCard
      title="Edit service"
      submitLabel="Save"
      action={action}
      onSubmit={() => {
        void action
          .run(() => api.services.update.mutate({ id: service.id, title, description }))
          .then((result) => {
            if (result.ok) onDone();
          });
      }}
    >
      <Field label="Title" name="title" problem={action.problem}>
        <input name="title" value={title} onChange={(e) => setTitle(e.target.value)} />
      </Field>
      <Field label="Description" name="description" problem={action.problem}>
        <textarea name="description" value={description} onChange={(e) => setDescription(e.target.value)} rows={2} />
      </Field>
    </FormCard>
  );
}

export default function ServicePage() {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const actor = useActor();
  const { data: service, problem, reload } = useLoad(() => api.services.get.query({ id }), [id]);
  useLiveRefresh(reload, { kinds: ['catalogue-changed'], serviceId: id });
  const action = useAction();
  const isProcessing = service?.versions.some((version) => version.state === 'processing');
  useEffect(() => {
    if (!isProcessing) return;
    const timer = setInterval(() => void reload(), 2000);
    return () => clearInterval(timer);
  }, [isProcessing, reload]);
  if (problem) return <Problem problem={problem} />;
  if (!service) return <p className="loading">Loading…</p>;
  const isOwner = actor.role === 'sp' && actor.organisationId === service.organisationId;
  return (
    <>
      <h1>{service.title}</h1>
      <p className="muted">{service.description || 'No description.'}</p>
      <dl className="facts">
        <dt>Service ID</dt>
        <dd>
          <CopyText value={service.id} label="service-id" />
          <span className="field-hint">Put it into meta/config.yaml as publish.service_uid.</span>
        </dd>
        <dt>Owner</dt>
        <dd>{service.organisationName}</dd>
        <dt>Bound to subjects</dt>
        <dd>{service.boundSubjectCount}</dd>
      </dl>
      <h2>Versions</h2>
      <Problem problem={action.problem} />
      {service.versions.length === 0 ? (
        <Empty title="No versions uploaded yet.">
          Set publish.service_uid to this Service ID and publish.version in meta/config.yaml, then run{' '}
          <code>aos sign</code> and <code>aos upload</code>.
        </Empty>
      ) : (
        <DataTable headers={['Version', 'State', 'Image', 'Package', 'Uploaded', '']} testId="versions">
          {service.versions.map((version) => (
            <tr key={version.id} data-version={version.version}>
              <td>{version.version}</td>
              <td>
                <StateBadge state={version.state} />
                {version.failureReason ? <div className="field-error">{version.failureReason}</div> : null}
              </td>
              <td>
                {version.imageDigest ? (
                  <code title={version.imageDigest}>{version.imageDigest.slice(0, 19)}…</code>
                ) : (
                  '—'
                )}{' '}
                {formatBytes(version.imageSize)}
              </td>
              <td>{formatBytes(version.packageSize)}</td>
              <td>{formatTime(version.createdAt)}</td>
              <td className="actions">
                {actor.role === 'oem' && version.state === 'ready' ? (
                  <button
                    type="button"
                    className="button-small"
                    onClick={() => void action.run(() => api.versions.approve.mutate({ id: version.id })).then(reload)}
                  >
                    Approve for fleet
                  </button>
                ) : null}
                {isOwner && version.state !== 'processing' ? (
                  <ConfirmButton
                    question={`Delete version ${version.version}?`}
                    className="button-small button-danger"
                    onConfirm={() => void action.run(() => api.versions.remove.mutate({ id: version.id })).then(reload)}
                  >
                    Delete
                  </ConfirmButton>
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <ServiceRollout serviceId={service.id} />
      <ServiceObservations serviceId={service.id} isOwner={isOwner} />
      <ServiceRollouts serviceId={service.id} />
      {isOwner ? <UploadForm serviceId={service.id} onDone={() => void reload()} /> : null}
      {isOwner ? (
        <EditServiceForm
          key={`${service.title}\n${service.description}`}
          service={service}
          onDone={() => void reload()}
        />
      ) : null}
      {isOwner ? (
        <section className="danger-zone">
          <ConfirmButton
            question={`Delete service ${service.title} and all its versions?`}
            className="button-danger"
            onConfirm={() => {
              void action
                .run(() => api.services.remove.mutate({ id: service.id }))
                .then((result) => {
                  if (result.ok) router.push('/services');
                });
            }}
          >
            Delete service
          </ConfirmButton>
        </section>
      ) : null}
    </>
  );
}
