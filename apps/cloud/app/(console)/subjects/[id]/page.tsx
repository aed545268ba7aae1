'use client';
import { useParams, useRouter } from 'next/navigation';
import { ConfirmButton } from '../../../../src/client/confirm-button';
import { useAction, useLoad } from '../../../../src/client/hooks';
import { useLiveRefresh } from '../../../../src/client/live';
import { api } from '../../../../src/client/trpc';
import { Problem } from '../../../../src/client/ui';

type Kind = 'serviceIds' | 'unitIds' | 'unitSetIds';

function BindingList(props: {
  title: string;
  kind: Kind;
  all: { id: string; label: string }[];
  bound: string[];
  onToggle: (kind: Kind, id: string, isBound: boolean) => void;
  empty: string;
}) {
  return (
    <section className="card">
      <h2>{props.title}</h2>
      {props.all.length === 0 ? <p className="muted">{props.empty}</p> : null}
      {props.all.map((item) => {
        const isBound = props.bound.includes(item.id);
        return (
          <label key={item.id} className="check">
            <input type="checkbox" checked={isBound} onChange={() => props.onToggle(props.kind, item.id, isBound)} />{' '}
            {item.label}
          </label>
        );
      })}
    </section>
  );
}

export default function SubjectPage() {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const subject = useLoad(() => api.subjects.get.query({ id }), [id]);
  const services = useLoad(() => api.services.list.query());
  useLiveRefresh(services.reload, { kinds: ['catalogue-changed'] });
  const units = useLoad(() => api.units.list.query());
  const unitSets = useLoad(() => api.unitSets.list.query());
  const action = useAction();
  if (subject.problem) return <Problem problem={subject.problem} />;
  if (!subject.data) return <p className="loading">Loading…</p>;
  const data = subject.data;
  const toggle = (kind: Kind, itemId: string, isBound: boolean) => {
    const input = { id, [kind]: [itemId] };
    void action
      .run(() => (isBound ? api.subjects.unbind.mutate(input) : api.subjects.bind.mutate(input)))
      .then(() => subject.reload());
  };
  return (
    <>
      <h1>Subject {data.name}</h1>
      <Problem problem={action.problem} />
      <div className="columns">
        <BindingList
          title="Services"
          kind="serviceIds"
          all={(services.data ?? []).map((s) => ({ id: s.id, label: `${s.title} (${s.organisationName})` }))}
          bound={data.services.map((s) => s.id)}
          onToggle={toggle}
          empty="No services exist yet; service providers create them."
        />
        <BindingList
          title="Units"
          kind="unitIds"
          all={(units.data ?? []).map((u) => ({ id: u.id, label: u.systemId }))}
          bound={data.units.map((u) => u.id)}
          onToggle={toggle}
          empty="No units registered; register them under Units."
        />
        <BindingList
          title="Unit sets"
          kind="unitSetIds"
          all={(unitSets.data ?? []).map((u) => ({
            id: u.id,
            label: u.isVerificationSet ? `${u.name} (verification)` : u.name,
          }))}
          bound={data.unitSets.map((u) => u.id)}
          onToggle={toggle}
          empty="No unit sets; create them under Unit sets."
        />
      </div>
      <section className="danger-zone">
        <ConfirmButton
          question={`Delete subject ${data.name}? Its bindings go; services and units stay.`}
          className="button-danger"
          onConfirm={() => {
            void action
              .run(() => api.subjects.remove.mutate({ id }))
              .then((result) => {
                if (result.ok) router.push('/subjects');
              });
          }}
        >
          Delete subject
        </ConfirmButton>
      </section>
    </>
  );
}
